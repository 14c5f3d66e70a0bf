package e2e

import (
	"net/url"
	"strings"
	"testing"
)

// TestSignedVisibility: under -visibility signed the JSON API shows a JID
// only with the sig that `badges sign` prints for it; without it, or with
// another JID's, the answer is byte for byte that of a JID that does not
// exist.
func TestSignedVisibility(t *testing.T) {
	p := start(t, t.TempDir(), "-visibility", "signed")
	// An API key's write is acknowledged without the presence, which the
	// key could otherwise read without a sig.
	for jid, body := range map[string]string{
		"alice@example.com": `{"status":"dnd","message":"busy","ttl":600}`,
		"bob@example.com":   `{"status":"away","ttl":600}`,
	} {
		if code, got := p.do("PUT", "/api/v1/presence/"+jid, body, map[string]string{"Authorization": "Bearer " + apiKey}); code != 204 || got != "" {
			t.Fatalf("PUT %s = %d %q, want 204", jid, code, got)
		}
	}
	sigAlice := command(t, "sign", "-token-secret", secret, "alice@example.com")
	sigBob := command(t, "sign", "-token-secret", secret, "Bob@Example.com/phone") // signs the normalised JID

	read := func(path string) string {
		t.Helper()
		code, body := p.do("GET", path, "", nil)
		if code != 200 {
			t.Fatalf("GET %s = %d %s", path, code, body)
		}
		return body
	}
	nobody := strings.ReplaceAll(read("/api/v1/presence/nobody@example.com"), "nobody@example.com", "JID")
	for _, path := range []string{
		"/api/v1/presence/alice@example.com",
		"/api/v1/presence/alice@example.com?sig=",
		"/api/v1/presence/alice@example.com?sig=" + url.QueryEscape(sigBob),
		"/api/v1/presence/alice@example.com?sig=" + url.QueryEscape(strings.ToUpper(sigAlice)),
	} {
		if got := strings.ReplaceAll(read(path), "alice@example.com", "JID"); got != nobody {
			t.Errorf("%s = %s, like nobody: %s", path, got, nobody)
		}
	}
	if got := read("/api/v1/presence/alice@example.com?sig=" + url.QueryEscape(sigAlice)); !strings.Contains(got, `"status":"dnd"`) {
		t.Errorf("signed read = %s", got)
	}
	// The batch takes the i-th sig for the i-th jid.
	got := read("/api/v1/presence?jid=alice@example.com&jid=bob@example.com&sig=" + url.QueryEscape(sigAlice) + "&sig=" + url.QueryEscape(sigBob))
	if !strings.Contains(got, `"status":"dnd"`) || !strings.Contains(got, `"status":"away"`) {
		t.Errorf("signed batch = %s", got)
	}
	got = read("/api/v1/presence?jid=alice@example.com&jid=bob@example.com&sig=" + url.QueryEscape(sigBob) + "&sig=" + url.QueryEscape(sigAlice))
	if strings.Contains(got, `"dnd"`) || strings.Contains(got, `"away"`) {
		t.Errorf("batch with swapped sigs = %s", got)
	}

	// kopano reads follow the same rule: a sig per user, or the token's own.
	tok := command(t, "token", "-token-secret", secret, "carol@example.com")
	_, users, body := p.kopano("GET", tok, `{"user_id":"alice@example.com"},{"user_id":"alice@example.com","sig":"`+sigAlice+`"}`)
	if users[0].Spreed.Status != "unavailable" || users[1].Spreed.Status != "busy" {
		t.Errorf("kopano signed reads = %s", body)
	}
}
