package web

import (
	"context"
	"fmt"
	"maps"
	"net/http"
	"net/http/httptest"
	"net/url"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/coder/websocket"

	"badges/presence"
)

// guardHub fails the test when anything but package visibility reads the
// hub: a read path that asks the hub itself bypasses the visibility rule.
type guardHub struct {
	presence.Hub
	mu     sync.Mutex
	bypass []string
}

func (g *guardHub) Get(t presence.Topic) *presence.Entry {
	pcs := make([]uintptr, 16)
	frames := runtime.CallersFrames(pcs[:runtime.Callers(2, pcs)])
	var stack []string
	for {
		f, more := frames.Next()
		if strings.HasPrefix(f.Function, "badges/visibility.") {
			return g.Hub.Get(t)
		}
		stack = append(stack, f.Function)
		if !more {
			break
		}
	}
	g.mu.Lock()
	g.bypass = append(g.bypass, strings.Join(stack, " < "))
	g.mu.Unlock()
	return g.Hub.Get(t)
}

// visibilityCase is one read: a request whose sig (or kopano "sig" member)
// is written SIG, replaced by a valid or an invalid one.
type visibilityCase struct {
	method, target, body string
	form                 bool // body is a form
}

const (
	visJID  = "alice@example.com"
	visRoom = "chat@rooms.example.com"
)

// visibilityReads lists a read of every route pattern that shows presence,
// keyed by the pattern as routes.go registers it.
func visibilityReads(token string) map[string][]visibilityCase {
	kopano := `{"AuthenticationToken":"` + token + `","UserStatus":[{"user_id":"` + visJID + `","sig":"SIG"}]}`
	return map[string][]visibilityCase{
		"GET /badge/{file...}": {{method: "GET", target: "/badge/" + visJID + ".svg?sig=SIG&message=text"},
			{method: "GET", target: "/badge/" + visJID + ".png?sig=SIG"}},
		"GET /icon/{file...}": {{method: "GET", target: "/icon/" + visJID + ".svg?sig=SIG"}},
		"GET /room/{file...}": {{method: "GET", target: "/room/" + visRoom + ".svg?sig=SIG"}},
		"GET /card/{file...}": {{method: "GET", target: "/card/" + visJID + ".svg?sig=SIG&theme=dark"},
			{method: "GET", target: "/card/" + visJID + ".png?sig=SIG"}},
		"GET /api/v1/presence/{jid...}": {{method: "GET", target: "/api/v1/presence/" + visJID + "?sig=SIG"}},
		"GET /api/v1/presence":          {{method: "GET", target: "/api/v1/presence?jid=" + visJID + "&sig=SIG"}},
		"GET /api/v1/rooms/{room...}":   {{method: "GET", target: "/api/v1/rooms/" + visRoom + "?sig=SIG"}},
		"GET /shields/{file...}":        {{method: "GET", target: "/shields/" + visJID + ".json?sig=SIG&message=text"}},
		"GET /shields/room/{file...}":   {{method: "GET", target: "/shields/room/" + visRoom + ".json?sig=SIG"}},
		"GET /embed/{jid...}":           {{method: "GET", target: "/embed/" + visJID + "?sig=SIG"}},
		"GET /embed/room/{room...}":     {{method: "GET", target: "/embed/room/" + visRoom + "?sig=SIG"}},
		"GET /dashboard":                {{method: "GET", target: "/dashboard?jid=" + visJID + "&sig=SIG"}},
		"GET /plugins/presence/status": {{method: "GET", target: openfirePath + visJID + "&sig=SIG&type=text"},
			{method: "GET", target: openfirePath + visJID + "&sig=SIG&type=xml"},
			{method: "GET", target: openfirePath + visJID + "&sig=SIG&type=image"}},
		"POST /plugins/presence/status": {{method: "POST", target: "/plugins/presence/status", form: true,
			body: "jid=" + visJID + "&sig=SIG&type=text"}},
		"GET /avatar/{file...}": {{method: "GET", target: "/avatar/" + visJID + ".png?sig=SIG&size=32"}},
		"GET /api/kopano":       {{method: "GET", target: "/api/kopano", body: kopano}},
		"POST /api/kopano":      {{method: "POST", target: "/api/kopano", body: kopano}},
	}
}

// Routes that show no presence of a reader-chosen topic, and why.
var visibilityExempt = map[string]string{
	"GET /healthz":                     "no presence",
	"GET /readyz":                      "no presence",
	"GET /metrics":                     "counters only",
	"GET /openapi.json":                "the API document, no presence",
	"GET /{$}":                         "the builder shows no presence",
	"GET /widget.js":                   "static asset",
	"GET /static/{file}":               "static asset",
	"/":                                "not found",
	"GET /ws":                          "TestVisibilityWebSocket walks its operations",
	"GET /dashboard/{group}":           "refused under signed visibility: TestVisibilityEveryRoute",
	"PUT /api/v1/presence/{jid...}":    "a write; a key's answer carries no presence under signed visibility (TestSignedWriteAnswer)",
	"DELETE /api/v1/presence/{jid...}": "a write, answered as PUT",
	"PUT /api/kopano":                  "a write answered with an empty body",
	"GET /favicon.ico":                 "static image",
	"GET /group/{file...}":             "refused under signed visibility: TestGroupSigned",
	"GET /api/v1/groups/{group}":       "refused under signed visibility: TestGroupSigned",
}

// visibilityServers are a server under signed visibility where alice is
// online and the room has people, and a public one where neither exists.
// A reader without a valid sig must get from the first exactly what the
// second answers.
func visibilityServers(t *testing.T) (signed *fixture, guard *guardHub, empty *fixture) {
	opt := writeOptions(t)
	opt.Verify = func(tp presence.Topic, sig string) bool { return sig == "ok-"+tp.Name }
	opt.Avatars = pictures(t)
	signed = newFixture(t, opt)
	guard = &guardHub{Hub: signed.hub}
	opt.Hub = guard
	signed.srv = New(opt)
	signed.online(t, visJID, presence.DND, "secret plans")
	signed.dir.SetProfile(visJID, richProfile())
	signed.dir.SetRoom(visRoom, 3)
	return signed, guard, newFixture(t, writeOptions(t))
}

func (c visibilityCase) send(t *testing.T, f *fixture, sig string) string {
	t.Helper()
	var hdr map[string]string
	if c.form {
		hdr = map[string]string{"Content-Type": "application/x-www-form-urlencoded"}
	}
	res, body := f.request(t, c.method, strings.ReplaceAll(c.target, "SIG", sig), strings.ReplaceAll(c.body, "SIG", sig), hdr)
	// Every header but Date: one that differs tells hidden from unknown.
	h := res.Header.Clone()
	h.Del("Date")
	var hdrs strings.Builder
	if err := h.Write(&hdrs); err != nil { // sorted by name
		t.Fatal(err)
	}
	return fmt.Sprintf("%d\n%s\n%s", res.StatusCode, hdrs.String(), body)
}

// TestVisibilityEveryRoute walks every route: each read of presence
// answers a reader without a valid sig exactly as if the JID or room did
// not exist, shows the presence with one, and reads the hub only through
// package visibility. A route added without a case here fails.
func TestVisibilityEveryRoute(t *testing.T) {
	signed, guard, empty := visibilityServers(t)
	token := kopanoToken(testSecret, "bob@example.com", testNow.Unix())
	reads := visibilityReads(token)
	patterns := signed.srv.RoutePatterns()
	if len(patterns) < 20 {
		t.Fatalf("only %d routes", len(patterns))
	}
	for _, pattern := range patterns {
		cases, ok := reads[pattern]
		if !ok {
			if _, ok := visibilityExempt[pattern]; !ok {
				t.Errorf("route %q has no visibility case", pattern)
			}
			continue
		}
		for _, c := range cases {
			name := c.method + " " + c.target
			hidden, unknown := c.send(t, signed, "bad"), c.send(t, empty, "bad")
			if hidden != unknown {
				t.Errorf("%s: hidden answer\n%.300s\ndiffers from a nonexistent one\n%.300s", name, hidden, unknown)
			}
			if shown := c.send(t, signed, "ok-"+topicOf(c)); shown == unknown {
				t.Errorf("%s: a valid sig shows nothing more than a nonexistent topic", name)
			}
		}
	}
	if res, _ := signed.do(t, "GET", "/dashboard/Team", nil); res.StatusCode != 404 {
		t.Errorf("group dashboard under signed visibility = %d, want 404", res.StatusCode)
	}
	for _, b := range guard.bypass {
		t.Errorf("hub read outside package visibility: %s", b)
	}
}

// topicOf is the name a case's sig must vouch for.
func topicOf(c visibilityCase) string {
	if strings.Contains(c.target, visRoom) {
		return visRoom
	}
	return visJID
}

// TestVisibilityWebSocket: every WebSocket operation that follows topics
// (the connect query, subscribe frames for JIDs and for rooms) answers a
// reader without a valid sig with the nonexistent topic's frame, and reads
// the hub only through package visibility.
func TestVisibilityWebSocket(t *testing.T) {
	signed, guard, empty := visibilityServers(t)
	ops := []struct {
		name, query, frame string
	}{
		{"connect query jid", "?jid=" + visJID + "&sig=SIG", ""},
		{"connect query room", "?room=" + visRoom + "&sig=SIG", ""},
		{"subscribe jids", "", `{"op":"subscribe","jids":["` + visJID + `"],"sigs":{"` + visJID + `":"SIG"}}`},
		{"subscribe rooms", "", `{"op":"subscribe","rooms":["` + visRoom + `"],"sigs":{"` + visRoom + `":"SIG"}}`},
	}
	first := func(f *fixture, query, frame, sig string) string {
		ts := httptest.NewServer(f.srv)
		defer ts.Close()
		ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
		defer cancel()
		c, _, err := websocket.Dial(ctx, "ws"+strings.TrimPrefix(ts.URL, "http")+"/ws"+strings.ReplaceAll(query, "SIG", sig), nil)
		if err != nil {
			t.Fatalf("dial: %v", err)
		}
		defer c.CloseNow()
		if frame != "" {
			if err := c.Write(ctx, websocket.MessageText, []byte(strings.ReplaceAll(frame, "SIG", sig))); err != nil {
				t.Fatal(err)
			}
		}
		_, b, err := c.Read(ctx)
		if err != nil {
			t.Fatalf("read: %v", err)
		}
		return string(b)
	}
	for _, op := range ops {
		name := visJID
		if strings.Contains(op.query+op.frame, visRoom) {
			name = visRoom
		}
		hidden, unknown := first(signed, op.query, op.frame, "bad"), first(empty, op.query, op.frame, "bad")
		if hidden != unknown {
			t.Errorf("%s: hidden frame %s, nonexistent %s", op.name, hidden, unknown)
		}
		if shown := first(signed, op.query, op.frame, "ok-"+name); shown == unknown {
			t.Errorf("%s: a valid sig shows %s, as for a nonexistent topic", op.name, shown)
		}
	}
	for _, b := range guard.bypass {
		t.Errorf("hub read outside package visibility: %s", b)
	}
}

// openfirePath is the Openfire plugin's route with its jid parameter.
const openfirePath = "/plugins/presence/status?jid="

// invisiblePaths are the image, endpoint-badge and Openfire reads of jid.
func invisiblePaths(jid string) []string {
	img := url.QueryEscape("https://img.example.com/--IMAGE--.gif")
	return []string{
		"/badge/" + jid + ".svg",
		"/badge/" + jid + ".svg?message=text&style=social&logo=xmpp",
		"/badge/" + jid + ".png?scale=2",
		"/icon/" + jid + ".svg",
		"/icon/" + jid + ".png?size=32",
		"/card/" + jid + ".svg",
		"/card/" + jid + ".svg?theme=dark",
		"/card/" + jid + ".png?theme=light&scale=2",
		"/shields/" + jid + ".json",
		"/shields/" + jid + ".json?message=text",
		"/api/v1/presence/" + jid,
		"/avatar/" + jid + ".png",
		"/avatar/" + jid + ".png?size=48",
		openfirePath + jid,
		openfirePath + jid + "&type=text",
		openfirePath + jid + "&type=xml",
		openfirePath + jid + "&images=" + img,
	}
}

// answer is what a reader can observe of a response.
type answer struct {
	code   int
	header http.Header
	body   string
}

func (f *fixture) answers(t *testing.T, jid string, hdr map[string]string) map[string]answer {
	t.Helper()
	out := map[string]answer{}
	for _, p := range invisiblePaths(jid) {
		res, body := f.do(t, "GET", p, hdr)
		out[strings.ReplaceAll(p, jid, "JID")] = answer{res.StatusCode, res.Header, strings.ReplaceAll(body, jid, "JID")}
	}
	return out
}

// TestImagesInvisible is the rule of docs/API.md#presence-model on every read this package
// adds: a JID nobody may see is answered exactly like one that does not
// exist, status, headers and bytes.
func TestImagesInvisible(t *testing.T) {
	const jid = "alice@example.com"
	opt := Options{RedirectHosts: []string{"img.example.com"}, Avatars: pictures(t)}
	never := newFixture(t, opt).answers(t, jid, nil)

	online := func(t *testing.T, f *fixture) {
		f.online(t, jid, presence.DND, "secret")
		f.offline(t, jid, "phone") // leaves a last_seen behind
		f.online(t, jid, presence.Chat, "secret")
		f.dir.SetProfile(jid, richProfile()) // every detail, a picture too
	}
	tests := []struct {
		name string
		do   func(t *testing.T, f *fixture)
	}{
		{"never seen", func(*testing.T, *fixture) {}},
		{"never subscribed, has resources", func(_ *testing.T, f *fixture) {
			f.dir.SetResource(jid, "phone", presence.Resource{Status: presence.Available, Message: "secret", Changed: time.Now()})
		}},
		{"forgotten", func(t *testing.T, f *fixture) { online(t, f); mustNil(t, f.dir.Forget(jid)) }},
		{"opted out", func(t *testing.T, f *fixture) { online(t, f); mustNil(t, f.dir.SetChoice(jid, true, 0)) }},
		{"unsubscribed", func(t *testing.T, f *fixture) {
			online(t, f)
			mustNil(t, f.dir.SetRosterItem(jid, presence.RosterItem{Subscribed: false}))
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t, opt)
			tt.do(t, f)
			compareAnswers(t, f.answers(t, jid, nil), never)
		})
	}

	// The same JID, also read under another name, is the same as one that
	// never existed with the name replaced, where the name does not shape
	// the layout.
	f := newFixture(t, opt)
	online(t, f)
	mustNil(t, f.dir.Forget(jid))
	other := f.answers(t, "nobody@example.com", nil)
	for _, p := range []string{"/shields/JID.json", "/api/v1/presence/JID", openfirePath + "JID&type=xml", openfirePath + "JID"} {
		if never[p].body != other[p].body {
			t.Errorf("%s: %s, a JID never seen: %s", p, never[p].body, other[p].body)
		}
	}
}

// TestImagesSigned: under signed visibility, reads without the JID's sig
// are those of a JID that does not exist.
func TestImagesSigned(t *testing.T) {
	const jid = "alice@example.com"
	opt := Options{RedirectHosts: []string{"img.example.com"},
		Verify: func(tp presence.Topic, sig string) bool { return sig == "ok-"+tp.Name }}
	never := newFixture(t, opt).answers(t, jid, nil)
	f := newFixture(t, opt)
	f.online(t, jid, presence.DND, "secret")
	compareAnswers(t, f.answers(t, jid, nil), never)

	for p, want := range map[string]string{
		"/badge/" + jid + ".svg?sig=ok-" + jid:          "do not disturb",
		"/shields/" + jid + ".json?sig=ok-" + jid:       "do not disturb",
		openfirePath + jid + "&type=text&sig=ok-" + jid: "secret",
		openfirePath + jid + "&type=xml&sig=ok-" + jid:  "<show>dnd</show>",
	} {
		if _, body := f.do(t, "GET", p, nil); !strings.Contains(body, want) {
			t.Errorf("signed %s = %s", p, body)
		}
	}
	for _, p := range []string{"/badge/" + jid + ".svg?sig=ok-bob@example.com", "/badge/" + jid + ".svg?sig="} {
		if _, body := f.do(t, "GET", p, nil); strings.Contains(body, "disturb") {
			t.Errorf("%s shows the presence", p)
		}
	}
	f.dir.SetRoom("chat@rooms.example.com", 5)
	if _, body := f.do(t, "GET", "/room/chat@rooms.example.com.svg", nil); !strings.Contains(body, "0 online") {
		t.Errorf("unsigned room badge = %s", body)
	}
	if _, body := f.do(t, "GET", "/shields/room/chat@rooms.example.com.json?sig=ok-chat@rooms.example.com", nil); !strings.Contains(body, "5 online") {
		t.Errorf("signed room endpoint badge = %s", body)
	}
}

func compareAnswers(t *testing.T, got, want map[string]answer) {
	t.Helper()
	for _, p := range slices.Sorted(maps.Keys(want)) {
		g, w := got[p], want[p]
		if g.code != w.code || g.body != w.body {
			t.Errorf("%s = %d\n%s\nlike a JID never seen: %d\n%s", p, g.code, printable(g.body), w.code, printable(w.body))
		}
		for k := range w.header {
			if g.header.Get(k) != w.header.Get(k) {
				t.Errorf("%s: %s = %q, never seen: %q", p, k, g.header.Get(k), w.header.Get(k))
			}
		}
		if len(g.header) != len(w.header) {
			t.Errorf("%s: headers %v, never seen: %v", p, g.header, w.header)
		}
	}
}

// printable shortens a binary body for a failure message.
func printable(body string) string {
	if strings.HasPrefix(body, "\x89PNG") {
		return fmt.Sprintf("(PNG, %d bytes)", len(body))
	}
	return body
}

func mustNil(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
