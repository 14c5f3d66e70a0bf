package e2e

import (
	"context"
	"testing"
	"time"

	"badges/presence"
)

// TestWritesSurviveKill checks docs/API.md#storage-and-scale against the real binary: a
// kill -9 right after an acknowledged write loses nothing, neither the
// http-source presence nor any last_seen, whichever way it was set (DELETE,
// an offline PUT, a ttl running out while running or while down).
func TestWritesSurviveKill(t *testing.T) {
	ctx, cancel := context.WithTimeout(t.Context(), 60*time.Second)
	defer cancel()
	dir := t.TempDir()
	p := start(t, dir)

	p.put("alice@example.com", `{"status":"available","message":"here","ttl":3600}`)
	p.put("carol@example.com", `{"status":"chat","ttl":3600}`)
	if code, body := p.do("DELETE", "/api/v1/presence/carol@example.com", "", map[string]string{"Authorization": "Bearer " + apiKey}); code != 200 {
		t.Fatalf("DELETE = %d %s", code, body)
	}
	p.put("dave@example.com", `{"status":"away","ttl":3600}`)
	p.put("dave@example.com", `{"status":"offline","message":"gone home","ttl":3600}`)
	p.put("eve@example.com", `{"status":"dnd","ttl":1}`)
	eve := p.await(ctx, "eve@example.com", func(pr presence.Presence) bool { return pr.Status == presence.Offline })

	// A user token writes too; `badges token` makes it.
	tok := command(t, "token", "-token-secret", secret, "bob@example.com")
	if code, body := p.do("PUT", "/api/v1/presence/bob@example.com", `{"status":"away","message":"lunch"}`,
		map[string]string{"Authorization": "Bearer " + tok}); code != 200 {
		t.Fatalf("token PUT = %d %s", code, body)
	}
	jids := []string{"alice@example.com", "bob@example.com", "carol@example.com", "dave@example.com", "eve@example.com"}
	before := map[string]presence.Presence{}
	for _, jid := range jids {
		before[jid] = p.get(jid)
	}
	for _, jid := range []string{"carol@example.com", "dave@example.com", "eve@example.com"} {
		if before[jid].LastSeen.IsZero() {
			t.Errorf("%s has no last_seen before the kill: %+v", jid, before[jid])
		}
	}
	if eve.LastSeen.IsZero() {
		t.Errorf("eve expired without last_seen: %+v", eve)
	}

	// frank's push runs out while the server is down.
	frankFrom := time.Now()
	p.put("frank@example.com", `{"status":"xa","ttl":1}`)
	frankBy := time.Now().Add(time.Second)

	// The last write is acknowledged, then the process dies at once.
	last := p.put("gina@example.com", `{"status":"dnd","message":"the last word","ttl":3600}`)
	p.kill()
	// Restart in a later second than frank's push can have run out, so
	// that a last_seen set at the restart shows.
	select {
	case <-time.After(time.Until(frankBy.Truncate(time.Second).Add(time.Second))):
	case <-ctx.Done():
		t.Fatal(ctx.Err())
	}

	p = start(t, dir)
	// From the first answer on, frank is offline, last seen when his push
	// ran out (to the second, as the API shows times), not at the restart.
	frank := p.get("frank@example.com")
	if lo, hi := frankFrom.Add(time.Second).Truncate(time.Second), frankBy; frank.Status != presence.Offline ||
		frank.LastSeen.Before(lo) || frank.LastSeen.After(hi) {
		t.Errorf("frank after restart: %+v, want offline, last seen in [%s, %s]", frank, lo, hi)
	}
	for _, jid := range jids {
		got, want := p.get(jid), before[jid]
		if got.Status != want.Status || got.Message != want.Message || !got.LastSeen.Equal(want.LastSeen) ||
			got.Sources[presence.SourceHTTP] != want.Sources[presence.SourceHTTP] {
			t.Errorf("%s after restart: %+v, before: %+v", jid, got, want)
		}
	}
	if got := p.get("gina@example.com"); got.Status != last.Status || got.Message != "the last word" {
		t.Errorf("last acknowledged write lost: %+v, acknowledged %+v", got, last)
	}
}

// TestTTLExpiry: without a refresh within ttl the http source goes offline.
func TestTTLExpiry(t *testing.T) {
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	p := start(t, t.TempDir())
	pushed := time.Now()
	if pr := p.put("alice@example.com", `{"status":"away","message":"brb","ttl":1}`); pr.Status != presence.Away {
		t.Fatalf("PUT answered %+v", pr)
	}
	if pr := p.get("alice@example.com"); pr.Status != presence.Away || pr.Message != "brb" || pr.Sources[presence.SourceHTTP] != presence.Away {
		t.Fatalf("GET after PUT = %+v", pr)
	}
	pr := p.await(ctx, "alice@example.com", func(pr presence.Presence) bool { return pr.Status == presence.Offline })
	if time.Since(pushed) < time.Second || pr.LastSeen.IsZero() || pr.Message != "" {
		t.Errorf("expired after %s: %+v", time.Since(pushed), pr)
	}
}
