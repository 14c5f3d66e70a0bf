package web

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"

	"badges/web/respond"
)

// wsURL is the /ws address of a running server.
func wsURL(ts *httptest.Server, query string) string {
	return "ws" + strings.TrimPrefix(ts.URL, "http") + "/ws" + query
}

// The connect rate is limited per client address before the live engine
// sees the request; the answer says when to retry.
func TestWSConnectRateLimit(t *testing.T) {
	f := newFixture(t, Options{ConnectRate: 0.5, ConnectBurst: 2})
	ts := httptest.NewServer(f.srv)
	t.Cleanup(ts.Close)
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	for range 2 {
		c, _, err := websocket.Dial(ctx, wsURL(ts, ""), nil)
		if err != nil {
			t.Fatal(err)
		}
		defer c.CloseNow()
	}
	_, res, err := websocket.Dial(ctx, wsURL(ts, ""), nil)
	if err == nil || res.StatusCode != http.StatusTooManyRequests {
		t.Fatalf("third connect: %v", err)
	}
	if ra, _ := strconv.Atoi(res.Header.Get("Retry-After")); ra < 1 || ra > 2 {
		t.Errorf("Retry-After %q", res.Header.Get("Retry-After"))
	}
}

// A cap of the live engine is answered as a JSON API error with its
// Retry-After.
func TestWSCapAnswer(t *testing.T) {
	f := newFixture(t, Options{MaxConnsPerClient: 1})
	ts := httptest.NewServer(f.srv)
	t.Cleanup(ts.Close)
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	c, _, err := websocket.Dial(ctx, wsURL(ts, ""), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer c.CloseNow()
	res, err := http.Get(ts.URL + "/ws")
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusTooManyRequests || res.Header.Get("Retry-After") != "10" || res.Header.Get("Content-Type") != respond.TypeJSON {
		t.Errorf("second connect = %d, Retry-After %q, %s", res.StatusCode, res.Header.Get("Retry-After"), res.Header.Get("Content-Type"))
	}
}

// clientAddr names an IPv6 client by its /64, which one host usually holds
// whole, and an IPv4 client (mapped or not) by its address.
func TestClientAddr(t *testing.T) {
	for remote, want := range map[string]string{
		"[2001:db8:1:2::1]:40000":      "2001:db8:1:2::",
		"[2001:db8:1:2:ffff::9]:40001": "2001:db8:1:2::",
		"[2001:db8:1:3::1]:40000":      "2001:db8:1:3::",
		"192.0.2.7:1234":               "192.0.2.7",
		"[::ffff:192.0.2.7]:1234":      "192.0.2.7",
		"not an address":               "invalid IP",
	} {
		if got := clientAddr(remote); got.String() != want {
			t.Errorf("clientAddr(%q) = %s, want %s", remote, got, want)
		}
	}
}

// wsFixture is a running server with a real hub and directory.
type wsFixture struct {
	*fixture
	http *httptest.Server
}

func newWSFixture(t *testing.T, opt Options) *wsFixture {
	t.Helper()
	f := newFixture(t, opt)
	ts := httptest.NewServer(f.srv)
	t.Cleanup(ts.Close)
	return &wsFixture{fixture: f, http: ts}
}
