package web

import (
	"fmt"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"badges/presence"
)

// invisiblePaths are the image, endpoint-badge and Openfire reads of jid.
func invisiblePaths(jid string) []string {
	img := url.QueryEscape("https://img.example.com/--IMAGE--.gif")
	return []string{
		"/badge/" + jid + ".svg",
		"/badge/" + jid + ".svg?message=text&style=social&logo=xmpp",
		"/badge/" + jid + ".png?scale=2",
		"/icon/" + jid + ".svg",
		"/icon/" + jid + ".png?size=32",
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

// TestImagesInvisible is SPEC section 2's rule on every read this package
// adds: a JID nobody may see is answered exactly like one that does not
// exist, status, headers and bytes.
func TestImagesInvisible(t *testing.T) {
	const jid = "alice@example.com"
	opt := Options{RedirectHosts: []string{"img.example.com"}, Avatars: pictures(t)}
	never := newFixture(t, opt).answers(t, jid, nil)

	online := func(t *testing.T, f *fixture) {
		f.online(t, jid, presence.DND, "secret")
		f.dir.RemoveResource(jid, "phone") // leaves a last_seen behind
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
