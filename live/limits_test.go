package live

import (
	"context"
	"net"
	"net/http"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"

	"badges/presence"
)

// dialFrom opens /ws from the local address ip, as a client of its own.
func (f *wsFixture) dialFrom(t *testing.T, ctx context.Context, ip string) (*websocket.Conn, *http.Response, error) {
	t.Helper()
	d := &net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(ip)}}
	tr := &http.Transport{DialContext: d.DialContext}
	t.Cleanup(tr.CloseIdleConnections)
	c, res, err := websocket.Dial(ctx, "ws"+strings.TrimPrefix(f.http.URL, "http")+"/ws",
		&websocket.DialOptions{HTTPClient: &http.Client{Transport: tr}})
	if c != nil {
		t.Cleanup(func() { _ = c.CloseNow() })
	}
	return c, res, err
}

// mustDialFrom is dialFrom that must succeed. The connection reads on its
// own, so that it answers the server's closing handshake.
func (f *wsFixture) mustDialFrom(t *testing.T, ctx context.Context, ip string) *websocket.Conn {
	t.Helper()
	c, _, err := f.dialFrom(t, ctx, ip)
	if err != nil {
		t.Fatalf("dial from %s: %v", ip, err)
	}
	c.CloseRead(ctx)
	return c
}

// refusedFrom dials from ip and wants the connect refused with code and a
// Retry-After.
func (f *wsFixture) refusedFrom(t *testing.T, ctx context.Context, ip string, code int) {
	t.Helper()
	_, res, err := f.dialFrom(t, ctx, ip)
	if err == nil || res == nil || res.StatusCode != code {
		t.Fatalf("dial from %s: %v (%v), want HTTP %d", ip, err, res, code)
	}
	if got := res.Header.Get("Retry-After"); got != "10" {
		t.Errorf("dial from %s: Retry-After %q, want 10", ip, got)
	}
}

// waitConns waits until the server counts n open connections and n of
// client.
func waitConns(t *testing.T, ctx context.Context, f *wsFixture, n int64, client string, ofClient int) {
	t.Helper()
	h := f.eng
	counts := func() (int64, int) {
		h.mu.Lock()
		defer h.mu.Unlock()
		return h.open.Load(), h.perClient[netip.MustParseAddrPort(client).Addr()]
	}
	tick := time.NewTicker(5 * time.Millisecond)
	defer tick.Stop()
	for {
		open, mine := counts()
		if open == n && mine == ofClient {
			return
		}
		select {
		case <-ctx.Done():
			t.Fatalf("%d open, %d of %s; want %d and %d", open, mine, client, n, ofClient)
		case <-tick.C:
		}
	}
}

// One client address holds at most MaxConnsPerClient sockets (429 beyond),
// the server at most MaxConns (503 beyond); a place is freed when a socket
// ends, when an upgrade fails and at Shutdown.
func TestWSOpenConnectionCaps(t *testing.T) {
	f := newWSFixture(t, Options{MaxConnsPerClient: 2, MaxConns: 3}, nil)
	ctx := testCtx(t)
	a1 := f.mustDialFrom(t, ctx, "127.0.0.1")
	f.mustDialFrom(t, ctx, "127.0.0.1")
	f.refusedFrom(t, ctx, "127.0.0.1", http.StatusTooManyRequests)

	b := f.mustDialFrom(t, ctx, "127.0.0.2") // another client still gets in
	f.refusedFrom(t, ctx, "127.0.0.3", http.StatusServiceUnavailable)

	// A socket that ends frees its place, for its client and in all.
	_ = a1.Close(websocket.StatusNormalClosure, "")
	waitConns(t, ctx, f, 2, "127.0.0.1:1", 1)
	f.mustDialFrom(t, ctx, "127.0.0.1")
	_ = b.Close(websocket.StatusNormalClosure, "")
	waitConns(t, ctx, f, 2, "127.0.0.2:1", 0)

	// An upgrade that fails is counted while it runs, then released.
	d := &net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP("127.0.0.3")}}
	tr := &http.Transport{DialContext: d.DialContext}
	defer tr.CloseIdleConnections()
	res, err := (&http.Client{Transport: tr}).Get(f.http.URL + "/ws")
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusUpgradeRequired {
		t.Fatalf("plain GET /ws = %d, want 426", res.StatusCode)
	}
	waitConns(t, ctx, f, 2, "127.0.0.3:1", 0)

	if err := f.eng.Shutdown(ctx); err != nil {
		t.Fatal(err)
	}
	h := f.eng
	h.mu.Lock()
	defer h.mu.Unlock()
	if n := h.open.Load(); n != 0 || len(h.perClient) != 0 {
		t.Errorf("after Shutdown: %d open, per client %v", n, h.perClient)
	}
}

// The per-client cap counts connections by the client address the caller
// names (the web server names an IPv6 client by its /64).
func TestWSConnectionCapPerClient(t *testing.T) {
	h := New(Options{Hub: presence.NewMemHub(), MaxConnsPerClient: 1})
	first, same, other := netip.MustParseAddr("2001:db8:1:2::"), netip.MustParseAddr("2001:db8:1:2::"), netip.MustParseAddr("2001:db8:1:3::")
	if got := h.enter(first); got != wsAdmitted {
		t.Fatalf("first = %v", got)
	}
	if got := h.enter(same); got != wsClientFull {
		t.Errorf("same client = %v, want wsClientFull", got)
	}
	if got := h.enter(other); got != wsAdmitted {
		t.Errorf("other client = %v", got)
	}
	h.leave(first, nil)
	h.leave(other, nil)
	if got := h.enter(same); got != wsAdmitted {
		t.Errorf("same client after leave = %v", got)
	}
	h.leave(same, nil)
}
