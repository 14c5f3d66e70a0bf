package web

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"badges/presence"
)

func TestPresenceJSON(t *testing.T) {
	f := newFixture(t, Options{})
	f.online(t, "alice@example.com", presence.DND, "In a meeting")

	if res, _ := f.do(t, "GET", "/api/v1/presence/alice%40example.com%2Fphone", nil); res.StatusCode != 200 {
		t.Errorf("escaped full JID: %d", res.StatusCode)
	}
	res, body := f.do(t, "GET", "/api/v1/presence/Alice@Example.com/phone", nil)
	if res.StatusCode != 200 {
		t.Fatalf("status %d: %s", res.StatusCode, body)
	}
	var got map[string]any
	if err := json.Unmarshal([]byte(body), &got); err != nil {
		t.Fatal(err)
	}
	for k, want := range map[string]any{"jid": "alice@example.com", "status": "dnd", "state": "busy", "message": "In a meeting"} {
		if got[k] != want {
			t.Errorf("%s = %v, want %v", k, got[k], want)
		}
	}
	if got["last_seen"] != nil || got["since"] == nil {
		t.Errorf("since/last_seen wrong: %s", body)
	}
	if src, _ := got["sources"].(map[string]any); src["xmpp"] != "dnd" {
		t.Errorf("sources = %v", got["sources"])
	}
	h := res.Header
	for k, want := range map[string]string{
		"Cache-Control": "no-cache", "X-Content-Type-Options": "nosniff",
		"Access-Control-Allow-Origin": "*", "Content-Type": "application/json",
	} {
		if h.Get(k) != want {
			t.Errorf("header %s = %q, want %q", k, h.Get(k), want)
		}
	}
	etag := h.Get("ETag")
	if !strings.HasPrefix(etag, `"`) {
		t.Fatalf("ETag %q is not a strong tag", etag)
	}

	// Same bytes: 304. New presence: new bytes, new tag.
	if res, body := f.do(t, "GET", "/api/v1/presence/alice@example.com", map[string]string{"If-None-Match": etag}); res.StatusCode != http.StatusNotModified || body != "" {
		t.Errorf("conditional GET = %d %q", res.StatusCode, body)
	}
	f.online(t, "alice@example.com", presence.Away, "")
	res, body2 := f.do(t, "GET", "/api/v1/presence/alice@example.com", map[string]string{"If-None-Match": etag})
	if res.StatusCode != 200 || res.Header.Get("ETag") == etag || body2 == body {
		t.Errorf("after change: %d etag %s body %s", res.StatusCode, res.Header.Get("ETag"), body2)
	}
}

// An invisible JID must be indistinguishable from one that does not exist.
func TestInvisibleLikeNonexistent(t *testing.T) {
	f := newFixture(t, Options{})
	f.online(t, "gone@example.com", presence.Available, "hi")
	if err := f.dir.Forget("gone@example.com"); err != nil {
		t.Fatal(err)
	}
	f.dir.SetResource("stranger@example.com", "x", presence.Resource{Status: presence.Available})

	answer := func(jid string) (int, http.Header, string) {
		res, body := f.do(t, "GET", "/api/v1/presence/"+jid, nil)
		return res.StatusCode, res.Header, strings.ReplaceAll(body, jid, "JID")
	}
	c0, h0, b0 := answer("nobody@example.com")
	for _, jid := range []string{"gone@example.com", "stranger@example.com"} {
		c, h, b := answer(jid)
		if c != c0 || b != b0 {
			t.Errorf("%s: %d %s, nonexistent: %d %s", jid, c, b, c0, b0)
		}
		for k := range h0 {
			if k != "Etag" && h.Get(k) != h0.Get(k) {
				t.Errorf("%s: header %s = %q, nonexistent %q", jid, k, h.Get(k), h0.Get(k))
			}
		}
	}
	if want := `{"jid":"JID","status":"unknown","state":"unavailable","since":null,"last_seen":null,"sources":{}}`; b0 != want {
		t.Errorf("unknown body = %s, want %s", b0, want)
	}
}

func TestPresenceBadInput(t *testing.T) {
	f := newFixture(t, Options{})
	for _, target := range []string{
		"/api/v1/presence/@example.com",
		"/api/v1/presence/a@b@c",
		"/api/v1/presence/a%20b@example.com",
		"/api/v1/presence",
		"/api/v1/presence?jid=ok@example.com&jid=%00",
		"/api/v1/rooms/example.com",
		"/api/v1/presence?" + strings.Repeat("jid=a@example.com&", 101),
	} {
		res, body := f.do(t, "GET", target, nil)
		var e struct{ Error string }
		if res.StatusCode != 400 || json.Unmarshal([]byte(body), &e) != nil || e.Error == "" {
			t.Errorf("%.60s: %d %s", target, res.StatusCode, body)
		}
	}
}

func TestPresenceBatchAndRoom(t *testing.T) {
	f := newFixture(t, Options{})
	f.online(t, "a@example.com", presence.Chat, "")
	f.dir.SetRoom("chat@rooms.example.com", 12)

	res, body := f.do(t, "GET", "/api/v1/presence?jid=a@example.com&jid=b@example.com", nil)
	var got struct{ Presence []presence.Presence }
	if err := json.Unmarshal([]byte(body), &got); err != nil || res.StatusCode != 200 {
		t.Fatalf("%d %s %v", res.StatusCode, body, err)
	}
	if len(got.Presence) != 2 || got.Presence[0].Status != presence.Chat || got.Presence[1].Status != presence.Unknown {
		t.Errorf("batch = %+v", got.Presence)
	}
	res, body = f.do(t, "GET", "/api/v1/rooms/chat@rooms.example.com", nil)
	if res.StatusCode != 200 || body != `{"room":"chat@rooms.example.com","occupants":12}` {
		t.Errorf("room = %d %s", res.StatusCode, body)
	}
}

func TestSignedVisibilityHidesWithoutSig(t *testing.T) {
	f := newFixture(t, Options{Verify: func(tp presence.Topic, sig string) bool { return sig == "ok-"+tp.Name }})
	f.online(t, "a@example.com", presence.Available, "")
	_, hidden := f.do(t, "GET", "/api/v1/presence/a@example.com", nil)
	_, nobody := f.do(t, "GET", "/api/v1/presence/n@example.com", nil)
	if strings.ReplaceAll(hidden, "a@example.com", "X") != strings.ReplaceAll(nobody, "n@example.com", "X") {
		t.Errorf("unsigned read leaks: %s vs %s", hidden, nobody)
	}
	if _, body := f.do(t, "GET", "/api/v1/presence/a@example.com?sig=ok-a@example.com", nil); !strings.Contains(body, `"available"`) {
		t.Errorf("signed read = %s", body)
	}
}
