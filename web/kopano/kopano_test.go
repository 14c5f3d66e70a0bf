package kopano

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"badges/auth"
	"badges/internal/hubtest"
	"badges/presence"
	"badges/visibility"
	"badges/web/respond"
)

const testSecret = "write-test-secret"

// testNow is the fixed clock of the tests: tokens are made for it.
var testNow = time.Unix(1700000000, 0)

// kopanoToken makes a user token the way kopano's test/create_token.py
// does.
func kopanoToken(secret, userID string, t int64) string {
	mac := hmac.New(sha256.New, []byte(secret))
	fmt.Fprintf(mac, "%d:%s", t, userID)
	return fmt.Sprintf("%d:%s:%s", t, userID, strings.ToUpper(base64.StdEncoding.EncodeToString(mac.Sum(nil))))
}

// fixtureOptions shape a fixture: the token secret and clock (testSecret
// and testNow when zero) and the visibility rule (public when nil).
type fixtureOptions struct {
	secret string
	now    time.Time
	verify visibility.Verifier
}

// fixture is a Handler over a real hub and directory.
type fixture struct {
	hub *hubtest.Recorder
	dir *presence.Directory
	h   *Handler
}

func newFixture(t *testing.T, fo fixtureOptions) *fixture {
	t.Helper()
	if fo.secret == "" {
		fo.secret = testSecret
	}
	if fo.now.IsZero() {
		fo.now = testNow
	}
	f := &fixture{}
	f.hub, f.dir = hubtest.Directory(t)
	f.h = New(Options{Directory: f.dir, Visibility: visibility.New(f.hub, fo.verify),
		TokenOwner: func(token string) (string, error) {
			return auth.VerifyToken([]byte(fo.secret), token, fo.now, 5*time.Minute)
		}})
	return f
}

// request sends a request with a body to the method's handler.
func (f *fixture) request(t *testing.T, method, target, body string, hdr map[string]string) (*http.Response, string) {
	t.Helper()
	req := httptest.NewRequest(method, target, strings.NewReader(body))
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	rec := httptest.NewRecorder()
	map[string]http.HandlerFunc{"GET": f.h.Get, "PUT": f.h.Put, "POST": f.h.Post}[method](rec, req)
	res := rec.Result()
	b, _ := io.ReadAll(res.Body)
	return res, string(b)
}

// online makes jid visible and online with one resource.
func (f *fixture) online(t *testing.T, jid string, st presence.Status, msg string) {
	hubtest.Online(t, f.dir, jid, st, msg)
}

// kopanoBody is a kopano request for users, each "user_id" or
// "user_id=state:message" to write the spreed source.
func kopanoBody(token string, users ...string) string {
	var us []string
	for _, u := range users {
		id, w, ok := strings.Cut(u, "=")
		if !ok {
			us = append(us, fmt.Sprintf(`{"user_id":%q}`, id))
			continue
		}
		state, msg, _ := strings.Cut(w, ":")
		us = append(us, fmt.Sprintf(`{"user_id":%q,"spreed":{"status":%q,"message":%q}}`, id, state, msg))
	}
	return fmt.Sprintf(`{"AuthenticationToken":%q,"Type":"UserStatus","UserStatus":[%s]}`, token, strings.Join(us, ","))
}

// kopanoUsers decodes a read's answer.
func kopanoUsers(t *testing.T, body string) []kopanoUserStatus {
	t.Helper()
	var a kopanoAnswer
	if err := json.Unmarshal([]byte(body), &a); err != nil || a.Type != "UserStatus" {
		t.Fatalf("answer %q: %v", body, err)
	}
	return a.UserStatus
}

func TestKopanoRoundTrip(t *testing.T) {
	f := newFixture(t, fixtureOptions{})
	alice := kopanoToken(testSecret, "alice@example.com", testNow.Unix())
	// kopano's clients authenticate the body; any Authorization header
	// (its scripts send Basic credentials) is ignored.
	basic := map[string]string{"Authorization": "Basic cHJlc2VuY2U6cHJlc2VuY2U="}

	res, body := f.request(t, "PUT", "/api/kopano", kopanoBody(alice, "alice@example.com=busy:In a meeting"), basic)
	if res.StatusCode != 200 || body != "" {
		t.Fatalf("PUT = %d %q", res.StatusCode, body)
	}
	want := `{"Type":"UserStatus","UserStatus":[` +
		`{"user_id":"alice@example.com","xmpp":{"status":"unavailable","message":""},"spreed":{"status":"busy","message":"In a meeting"}},` +
		`{"user_id":"Nobody@Example.com","xmpp":{"status":"unavailable","message":""},"spreed":{"status":"unavailable","message":""}}]}`
	res, body = f.request(t, "GET", "/api/kopano", kopanoBody(alice, "alice@example.com", "Nobody@Example.com"), nil)
	if res.StatusCode != 200 || body != want {
		t.Fatalf("GET = %d %s\nwant %s", res.StatusCode, body, want)
	}
	if res.Header.Get("Content-Type") != respond.TypeJSON || res.Header.Get("Cache-Control") != "no-cache" || res.Header.Get("ETag") == "" {
		t.Errorf("GET headers %v", res.Header)
	}
	// The write is the http source of the directory.
	if src := f.hub.Get(presence.JIDTopic("alice@example.com")).Presence.Sources; len(src) != 1 || src[presence.SourceHTTP] != presence.DND {
		t.Errorf("sources after kopano PUT: %v", src)
	}

	// POST writes, then answers the read of every user it names.
	_, body = f.request(t, "POST", "/api/kopano", kopanoBody(alice, "alice@example.com=away:lunch", "bob@example.com"), nil)
	got := kopanoUsers(t, body)
	if len(got) != 2 || got[0].Spreed != (kopanoSource{"away", "lunch"}) || got[1].UserID != "bob@example.com" {
		t.Errorf("POST = %s", body)
	}
	_, body = f.request(t, "POST", "/api/kopano", kopanoBody(alice, "alice@example.com=unavailable:"), nil)
	if got := kopanoUsers(t, body); got[0].Spreed.Status != "unavailable" {
		t.Errorf("POST unavailable = %s", body)
	}
	if p := f.hub.Get(presence.JIDTopic("alice@example.com")).Presence; p.Status != presence.Offline || p.LastSeen.IsZero() {
		t.Errorf("after unavailable: %+v", p)
	}
}

// Both sources side by side, in kopano's four states.
func TestKopanoReadsBothSources(t *testing.T) {
	f := newFixture(t, fixtureOptions{})
	f.online(t, "alice@example.com", presence.XA, "gone")
	if _, err := f.dir.SetHTTP("alice@example.com", presence.Chat, "call me", time.Minute); err != nil {
		t.Fatal(err)
	}
	f.online(t, "bob@example.com", presence.DND, "busy")
	tok := kopanoToken(testSecret, "carol@example.com", testNow.Unix())
	_, body := f.request(t, "GET", "/api/kopano", kopanoBody(tok, "alice@example.com", "bob@example.com"), nil)
	got := kopanoUsers(t, body)
	if got[0].XMPP != (kopanoSource{"away", "gone"}) || got[0].Spreed != (kopanoSource{"available", "call me"}) ||
		got[1].XMPP != (kopanoSource{"busy", "busy"}) || got[1].Spreed != kopanoUnavailable {
		t.Errorf("GET = %s", body)
	}
	// A user who hid their status text has it left out of every source.
	if err := f.dir.SetChoice("alice@example.com", false, presence.FieldSet(presence.FieldMessage)); err != nil {
		t.Fatal(err)
	}
	_, body = f.request(t, "GET", "/api/kopano", kopanoBody(tok, "alice@example.com"), nil)
	if got := kopanoUsers(t, body); got[0].XMPP != (kopanoSource{"away", ""}) || got[0].Spreed != (kopanoSource{"available", ""}) {
		t.Errorf("hidden messages: %s", body)
	}
}

// An invisible user reads exactly like one that does not exist.
func TestKopanoInvisibleLikeNonexistent(t *testing.T) {
	f := newFixture(t, fixtureOptions{})
	f.online(t, "gone@example.com", presence.Available, "hi")
	if err := f.dir.Forget("gone@example.com"); err != nil {
		t.Fatal(err)
	}
	f.online(t, "hidden@example.com", presence.Available, "hi")
	f.dir.SetProfile("hidden@example.com", presence.Profile{Nick: "Hidden", Mood: &presence.Mood{Value: "sad"}})
	if err := f.dir.SetChoice("hidden@example.com", true, 0); err != nil {
		t.Fatal(err)
	}
	tok := kopanoToken(testSecret, "carol@example.com", testNow.Unix())
	answer := func(jid string) string {
		res, body := f.request(t, "GET", "/api/kopano", kopanoBody(tok, jid), nil)
		if res.StatusCode != 200 {
			t.Fatalf("%s: %d %s", jid, res.StatusCode, body)
		}
		return strings.ReplaceAll(body, jid, "JID")
	}
	nobody := answer("nobody@example.com")
	for _, jid := range []string{"gone@example.com", "hidden@example.com"} {
		if got := answer(jid); got != nobody {
			t.Errorf("%s reads %s, nonexistent %s", jid, got, nobody)
		}
	}
}

func TestKopanoAuthorization(t *testing.T) {
	now := testNow.Unix()
	tests := []struct {
		name, method, body string
		want               int
	}{
		{"no token", "GET", kopanoBody("", "alice@example.com"), 401},
		{"no token member", "GET", `{"UserStatus":[]}`, 401},
		{"malformed token", "GET", kopanoBody("alice@example.com", "alice@example.com"), 401},
		{"wrong secret", "GET", kopanoBody(kopanoToken("GEHEIM", "alice@example.com", now), "alice@example.com"), 401},
		{"expired read", "GET", kopanoBody(kopanoToken(testSecret, "alice@example.com", now-301), "alice@example.com"), 401},
		{"expired write", "PUT", kopanoBody(kopanoToken(testSecret, "alice@example.com", now-301), "alice@example.com=busy:"), 401},
		{"future", "POST", kopanoBody(kopanoToken(testSecret, "alice@example.com", now+31), "alice@example.com=busy:"), 401},
		{"reads anyone", "GET", kopanoBody(kopanoToken(testSecret, "alice@example.com", now), "bob@example.com"), 200},
		{"writes itself", "PUT", kopanoBody(kopanoToken(testSecret, "alice@example.com", now), "Alice@Example.com=busy:"), 200},
		{"writes another", "PUT", kopanoBody(kopanoToken(testSecret, "alice@example.com", now), "bob@example.com=busy:"), 403},
		{"writes itself and another", "POST", kopanoBody(kopanoToken(testSecret, "alice@example.com", now),
			"alice@example.com=away:", "bob@example.com=busy:"), 403},
		{"reads another while writing itself", "POST", kopanoBody(kopanoToken(testSecret, "alice@example.com", now),
			"alice@example.com=away:", "bob@example.com"), 200},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t, fixtureOptions{})
			res, body := f.request(t, tt.method, "/api/kopano", tt.body, nil)
			if res.StatusCode != tt.want {
				t.Fatalf("%s = %d %s, want %d", tt.method, res.StatusCode, body, tt.want)
			}
			if tt.want == 403 {
				// Checked whole before anything is written.
				for _, jid := range []string{"alice@example.com", "bob@example.com"} {
					if _, ok := f.dir.Record(jid); ok {
						t.Errorf("%s was written by a refused request", jid)
					}
				}
			}
		})
	}
}

// kopano's own token vector: its secret and user, a token made by
// create_token.py at that time.
func TestKopanoOwnTokenVector(t *testing.T) {
	const token = "1415697944:markd@kopano.com:AZOZTQDHUN/T940+GBZQ6REEIFTNUGLP7LICRNNDALS="
	if got := kopanoToken("GEHEIM", "markd@kopano.com", 1415697944); got != token {
		t.Fatalf("kopanoToken = %s, want %s", got, token)
	}
	f := newFixture(t, fixtureOptions{secret: "GEHEIM", now: time.Unix(1415697944+60, 0)})
	res, body := f.request(t, "PUT", "/api/kopano", kopanoBody(token, "markd@kopano.com=available:feeling chatty.."), nil)
	if res.StatusCode != 200 {
		t.Fatalf("PUT = %d %s", res.StatusCode, body)
	}
	_, body = f.request(t, "GET", "/api/kopano", kopanoBody(token, "markd@kopano.com"), nil)
	if got := kopanoUsers(t, body); got[0].Spreed != (kopanoSource{"available", "feeling chatty.."}) {
		t.Errorf("GET = %s", body)
	}
}

func TestKopanoBadBodies(t *testing.T) {
	f := newFixture(t, fixtureOptions{})
	tok := kopanoToken(testSecret, "alice@example.com", testNow.Unix())
	many := make([]string, defaultMaxUsers+1)
	for i := range many {
		many[i] = fmt.Sprintf("u%d@example.com", i)
	}
	for _, tt := range []struct{ method, body string }{
		{"GET", ``},
		{"GET", `{`},
		{"GET", `[]`},
		{"GET", `{"AuthenticationToken":"` + tok + `"}`},
		{"GET", `{"AuthenticationToken":"` + tok + `","UserStatus":null}`},
		{"GET", `{"AuthenticationToken":"` + tok + `","Type":"Other","UserStatus":[]}`},
		{"GET", `{"AuthenticationToken":"` + tok + `","UserStatus":[{"user_id":""}]}`},
		{"GET", `{"AuthenticationToken":"` + tok + `","UserStatus":[{"user_id":"a@b@c"}]}`},
		{"GET", `{"AuthenticationToken":"` + tok + `","UserStatus":[{"user_id":7}]}`},
		{"GET", kopanoBody(tok, many...)},
		{"PUT", kopanoBody(tok, "alice@example.com=dnd:")},
		{"PUT", kopanoBody(tok, "alice@example.com=:")},
		{"POST", kopanoBody(tok, "alice@example.com=Available:")},
		{"PUT", `{"AuthenticationToken":"` + tok + `","UserStatus":[{"user_id":"alice@example.com","spreed":"busy"}]}`},
	} {
		res, body := f.request(t, tt.method, "/api/kopano", tt.body, nil)
		var e struct{ Error string }
		if res.StatusCode != 400 || json.Unmarshal([]byte(body), &e) != nil || e.Error == "" {
			t.Errorf("%s %.80s: %d %s", tt.method, tt.body, res.StatusCode, body)
		}
	}
	// A read ignores what a write would set, as kopano's GET does; an
	// empty list reads nobody; an xmpp member of a write is ignored.
	for _, tt := range []struct{ method, body, want string }{
		{"GET", kopanoBody(tok, "alice@example.com=nonsense:"), `"spreed":{"status":"unavailable"`},
		{"GET", `{"AuthenticationToken":"` + tok + `","UserStatus":[]}`, `{"Type":"UserStatus","UserStatus":[]}`},
		{"POST", `{"AuthenticationToken":"` + tok + `","UserStatus":[{"user_id":"alice@example.com","xmpp":{"status":"busy"}}]}`,
			`"xmpp":{"status":"unavailable"`},
	} {
		if res, body := f.request(t, tt.method, "/api/kopano", tt.body, nil); res.StatusCode != 200 || !strings.Contains(body, tt.want) {
			t.Errorf("%s %s: %d %s", tt.method, tt.body, res.StatusCode, body)
		}
	}
}

// Under signed visibility a user is read with its sig, or by its own token.
func TestKopanoSignedVisibility(t *testing.T) {
	f := newFixture(t, fixtureOptions{verify: func(tp presence.Topic, sig string) bool { return sig == "ok-"+tp.Name }})
	f.online(t, "bob@example.com", presence.DND, "")
	alice := kopanoToken(testSecret, "alice@example.com", testNow.Unix())
	if res, body := f.request(t, "PUT", "/api/kopano", kopanoBody(alice, "alice@example.com=away:"), nil); res.StatusCode != 200 {
		t.Fatalf("PUT = %d %s", res.StatusCode, body)
	}
	body := `{"AuthenticationToken":"` + alice + `","UserStatus":[{"user_id":"alice@example.com"},` +
		`{"user_id":"bob@example.com"},{"user_id":"bob@example.com","sig":"ok-bob@example.com"},{"user_id":"bob@example.com","sig":"bad"}]}`
	_, got := f.request(t, "GET", "/api/kopano", body, nil)
	users := kopanoUsers(t, got)
	if users[0].Spreed.Status != "away" || users[1].XMPP != kopanoUnavailable ||
		users[2].XMPP.Status != "busy" || users[3].XMPP != kopanoUnavailable {
		t.Errorf("signed reads = %s", got)
	}
}

// FuzzParseKopano: no body makes the parser panic, every refusal is a 400,
// and what it accepts is checked.
func FuzzParseKopano(f *testing.F) {
	tok := kopanoToken(testSecret, "alice@example.com", testNow.Unix())
	f.Add([]byte(kopanoBody(tok, "alice@example.com=busy:x", "bob@example.com")), true)
	f.Add([]byte(`{"UserStatus":[{"user_id":"a@b","spreed":{"status":"away","message":null},"xmpp":{}}],"Type":"UserStatus"}`), false)
	f.Add([]byte(`{"UserStatus":[{"user_id":"\u0000"}]}`), true)
	f.Add([]byte(`{"authenticationtoken":1}`), false)
	f.Fuzz(func(t *testing.T, body []byte, write bool) {
		call, err := parseKopano(body, write, defaultMaxUsers)
		if err != nil {
			if code := respond.StatusOf(err); code != 400 {
				t.Fatalf("error %v maps to %d", err, code)
			}
			return
		}
		if len(call.users) > defaultMaxUsers {
			t.Fatalf("%d users accepted", len(call.users))
		}
		for _, u := range call.users {
			if jid, err := presence.ParseJID(u.jid); err != nil || jid != u.jid {
				t.Fatalf("user %q not normalised: %q, %v", u.jid, jid, err)
			}
			if u.write != nil && (!write || u.write.status == presence.Unknown) {
				t.Fatalf("write %+v accepted (write=%v)", u.write, write)
			}
		}
	})
}

// kopano carries the rich presence beside the sources, what is shared only.
func TestKopanoDetails(t *testing.T) {
	f := newFixture(t, fixtureOptions{})
	f.online(t, "alice@example.com", presence.Available, "hi")
	f.dir.SetProfile("alice@example.com", presence.Profile{Nick: "Alice", Mood: &presence.Mood{Value: "happy", Text: "sunny"}})
	tok := kopanoToken(testSecret, "carol@example.com", testNow.Unix())
	_, body := f.request(t, "GET", "/api/kopano", kopanoBody(tok, "alice@example.com"), nil)
	if !strings.Contains(body, `"name":"Alice","mood":{"value":"happy","text":"sunny"}`) {
		t.Errorf("details missing: %s", body)
	}
	if err := f.dir.SetChoice("alice@example.com", false, presence.FieldSet(presence.FieldMood)); err != nil {
		t.Fatal(err)
	}
	_, body = f.request(t, "GET", "/api/kopano", kopanoBody(tok, "alice@example.com"), nil)
	if strings.Contains(body, `"mood"`) || !strings.Contains(body, `"name":"Alice"`) {
		t.Errorf("hidden mood: %s", body)
	}
}
