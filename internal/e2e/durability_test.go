package e2e

import (
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
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

// TestConcurrentWritesSurviveKill is the concurrent variant of
// TestWritesSurviveKill: many writers, each from its own loopback address
// (so that the per-client write limit does not count) and with a JID of its
// own, push numbered messages as fast as they are acknowledged; the
// process is killed at a random moment. After a restart every JID shows at
// least its last acknowledged message: that one, or the one in flight at
// the kill.
func TestConcurrentWritesSurviveKill(t *testing.T) {
	const writers = 32
	dir := t.TempDir()
	p := start(t, dir)

	acked := make([]int, writers) // last acknowledged message per writer; -1: none
	// The kill comes after a random number of acknowledgements, whatever
	// the machine's speed.
	killAt := int64(writers + rand.IntN(500))
	var count atomic.Int64
	reached := make(chan struct{})
	var wg sync.WaitGroup
	stop := make(chan struct{})
	for w := range writers {
		acked[w] = -1
		wg.Go(func() {
			var c *http.Client
			defer func() { c.CloseIdleConnections() }()
			for i := 0; ; i++ {
				// 90 writes per address, below the per-client burst of 100.
				if i%90 == 0 {
					if c != nil {
						c.CloseIdleConnections()
					}
					c = loopbackClient(w*1000 + i/90)
				}
				select {
				case <-stop:
					return
				default:
				}
				body := fmt.Sprintf(`{"status":"away","message":"%d","ttl":3600}`, i)
				req, err := http.NewRequest("PUT", p.base+"/api/v1/presence/"+writerJID(w), strings.NewReader(body))
				if err != nil {
					t.Error(err)
					return
				}
				req.Header.Set("Authorization", "Bearer "+apiKey)
				res, err := c.Do(req)
				if err != nil {
					return // killed
				}
				_, _ = io.Copy(io.Discard, res.Body)
				res.Body.Close()
				if res.StatusCode != http.StatusOK {
					t.Errorf("PUT %d of writer %d = %d", i, w, res.StatusCode)
					return
				}
				acked[w] = i // read after wg.Wait
				if count.Add(1) == killAt {
					close(reached)
				}
			}
		})
	}
	select {
	case <-reached:
	case <-time.After(30 * time.Second):
		t.Errorf("%d of %d acknowledgements in 30 s", count.Load(), killAt)
	}
	p.kill()
	close(stop)
	wg.Wait()
	total := 0
	for _, n := range acked {
		total += n + 1
	}
	t.Logf("killed after %d acknowledged writes", total)

	p = start(t, dir)
	for w, n := range acked {
		if n < 0 {
			continue
		}
		got := p.get(writerJID(w))
		m, err := strconv.Atoi(got.Message)
		if got.Status != presence.Away || err != nil || m < n || m > n+1 {
			t.Errorf("%s after restart: %+v, last acknowledged message %d", writerJID(w), got, n)
		}
	}
}

func writerJID(w int) string { return fmt.Sprintf("writer%02d@example.com", w) }

// loopbackClient returns an HTTP client whose connections come from the
// loopback address numbered n (127.0.x.y, from 127.0.1.0 on).
func loopbackClient(n int) *http.Client {
	ip := net.IPv4(127, byte(1+n>>16), byte(n>>8), byte(n))
	d := &net.Dialer{LocalAddr: &net.TCPAddr{IP: ip}, Timeout: 5 * time.Second}
	return &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{DialContext: d.DialContext}}
}
