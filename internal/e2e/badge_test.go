package e2e

import (
	"context"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"badges/internal/testenv"
	"badges/presence"
)

// badgeDeadline is the answer time a badge needs while the XMPP server is
// down: GitHub's image proxy gives up after about 4 s, and docs/API.md asks for
// well under a second. A bound for the test, not a performance claim.
const badgeDeadline = time.Second

// TestBadgeFollowsXMPP: a Prosody user's presence change gives the badge a
// new ETag and new bytes; an unchanged presence revalidates with 304, also
// while the XMPP server is down.
func TestBadgeFollowsXMPP(t *testing.T) {
	p := testenv.StartProsody(t)
	const pw = "e2e-password"
	bot := p.Register("badges", pw)
	alice := p.Register("alice", pw)
	srv := start(t, t.TempDir(), "-xmpp-jid", bot, "-xmpp-password", pw, "-xmpp-server", p.Addr, "-xmpp-tls", "none")
	srv.awaitReady(t, http.StatusOK)
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	defer cancel()

	c := p.Connect(alice, pw, "phone")
	optIn(t, c, bot)
	await(ctx, t, srv, alice, func(pr presence.Presence) bool { return pr.Status == presence.Available })
	badge := "/badge/" + alice + ".svg"
	code, etag, body := srv.conditional(t, badge, "")
	if code != http.StatusOK || !strings.Contains(body, alice+": online") {
		t.Fatalf("badge = %d %s", code, body)
	}
	if code, _, _ := srv.conditional(t, badge, etag); code != http.StatusNotModified {
		t.Errorf("unchanged presence: %d, want 304", code)
	}

	if err := c.SetPresence("dnd", "In a meeting", 0); err != nil {
		t.Fatal(err)
	}
	await(ctx, t, srv, alice, func(pr presence.Presence) bool { return pr.Status == presence.DND })
	code, etag2, body2 := srv.conditional(t, badge, etag)
	if code != http.StatusOK || etag2 == etag || body2 == body || !strings.Contains(body2, alice+": do not disturb") {
		t.Fatalf("after the change: %d, ETag %s (was %s), %s", code, etag2, etag, body2)
	}
	if code, _, _ := srv.conditional(t, badge, etag2); code != http.StatusNotModified {
		t.Errorf("unchanged again: %d, want 304", code)
	}
	if _, _, text := srv.conditional(t, "/plugins/presence/status?type=text&jid="+alice, ""); text != "In a meeting\n" {
		t.Errorf("Openfire text = %q", text)
	}

	// The XMPP server goes away: the badge still answers at once.
	p.Kill()
	srv.awaitReady(t, http.StatusServiceUnavailable)
	if code, _, _ := srv.conditional(t, badge, etag2); code != http.StatusNotModified {
		t.Errorf("during the outage: %d, want 304", code)
	}
}

// conditional GETs path with If-None-Match etag (none when empty) within
// badgeDeadline and returns the status, the ETag and the body.
func (p *proc) conditional(t *testing.T, path, etag string) (int, string, string) {
	t.Helper()
	req, err := http.NewRequest("GET", p.base+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	if etag != "" {
		req.Header.Set("If-None-Match", etag)
	}
	res, err := (&http.Client{Timeout: badgeDeadline}).Do(req)
	if err != nil {
		t.Fatalf("GET %s: %v", path, err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return res.StatusCode, res.Header.Get("ETag"), string(b)
}
