package e2e

import (
	"context"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"

	"badges/internal/testenv"
)

// behindCaddy starts badges (startProxied) and Caddy in front of it with
// deploy/Caddyfile, as README.md shows it. A base path wraps the
// reverse_proxy in handle, as the file's comment says, and gives badges
// -base-path.
func behindCaddy(t *testing.T, basePath string, args ...string) *front {
	t.Helper()
	p := startProxied(t, "Caddyfile", basePath, args...)
	const proxy = "reverse_proxy 127.0.0.1:8080"
	replace := []string{proxy, "reverse_proxy " + p.srv.addr}
	if basePath != "" {
		replace = []string{proxy, "handle " + basePath + "/* {\n\t\treverse_proxy " + p.srv.addr + "\n\t}"}
	}
	addr := testenv.StartCaddy(t, testenv.CaddyOptions{Site: p.site, Host: publicHost, Cert: p.cert, Key: p.key, Replace: replace})
	return &front{srv: p.srv, url: "https://" + addr, addr: addr, tls: p.tls}
}

// dialSite opens a WebSocket to path on the proxy as a browser at
// publicHost would (Caddy routes by the Host header), from the local
// address from.
func (f *front) dialSite(ctx context.Context, path string, from net.IP) (*websocket.Conn, int, error) {
	d := &net.Dialer{LocalAddr: &net.TCPAddr{IP: from}, Timeout: 5 * time.Second}
	client := &http.Client{Transport: &http.Transport{TLSClientConfig: f.tls,
		DialContext: func(ctx context.Context, network, _ string) (net.Conn, error) {
			return d.DialContext(ctx, network, f.addr)
		}}}
	c, res, err := websocket.Dial(ctx, "wss://"+publicHost+path, &websocket.DialOptions{HTTPClient: client})
	code := 0
	if res != nil {
		code = res.StatusCode
	}
	return c, code, err
}

// TestCaddy: behind Caddy, badges counts every forwarded client on its own
// (the fourth socket of one client is refused, another client's is not),
// its snippets point at the public https URL, and the live socket follows
// a change through the proxy.
func TestCaddy(t *testing.T) {
	f := behindCaddy(t, "", "-ws-per-client", "3", "-ws-connect-burst", "100")
	const jid = "alice@example.com"
	f.srv.put(jid, `{"status":"available"}`)
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	defer cancel()
	var open []*websocket.Conn
	t.Cleanup(func() {
		for _, c := range open {
			c.CloseNow()
		}
	})
	for i := range 3 {
		c, code, err := f.dialSite(ctx, "/ws?jid="+jid, clientAddr(1))
		if err != nil {
			t.Fatalf("socket %d of a forwarded client = %d: %v", i+1, code, err)
		}
		open = append(open, c)
	}
	if c, code, err := f.dialSite(ctx, "/ws", clientAddr(1)); err == nil || code != http.StatusTooManyRequests {
		if c != nil {
			c.CloseNow()
		}
		t.Errorf("4th socket of one forwarded client = %d, %v; want 429", code, err)
	}
	other, code, err := f.dialSite(ctx, "/ws", clientAddr(2))
	if err != nil {
		t.Fatalf("another forwarded client = %d: %v", code, err)
	}
	open = append(open, other)

	if body := f.get(t, "/", http.StatusOK); !strings.Contains(body, `data-base="https://`+publicHost+`"`) {
		t.Errorf("builder does not point at https://%s:\n%.600s", publicHost, body)
	}
	if body := f.get(t, "/badge/"+jid+".svg", http.StatusOK); !strings.Contains(body, "online") {
		t.Errorf("badge through Caddy: %.300s", body)
	}
	if st, err := readStatus(ctx, open[0]); err != nil || st != "available" {
		t.Fatalf("first status through Caddy = %q, %v", st, err)
	}
	f.srv.put(jid, `{"status":"dnd"}`)
	if st, err := readStatus(ctx, open[0]); err != nil || st != "dnd" {
		t.Errorf("status after the change through Caddy = %q, %v; want dnd", st, err)
	}
}

// TestCaddyBasePath: under handle /presence/* and -base-path /presence,
// routes, snippets and the live socket live under the prefix.
func TestCaddyBasePath(t *testing.T) {
	f := behindCaddy(t, "/presence")
	const jid = "alice@example.com"
	f.srv.put(jid, `{"status":"away"}`)
	if body := f.get(t, "/presence/badge/"+jid+".svg", http.StatusOK); !strings.Contains(body, "away") {
		t.Errorf("badge under the base path: %.300s", body)
	}
	if body := f.get(t, "/presence/", http.StatusOK); !strings.Contains(body, `data-base="https://`+publicHost+`/presence"`) {
		t.Errorf("builder under the base path:\n%.600s", body)
	}
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	defer cancel()
	c, code, err := f.dialSite(ctx, "/presence/ws?jid="+jid, clientAddr(3))
	if err != nil {
		t.Fatalf("socket under the base path = %d: %v", code, err)
	}
	defer c.CloseNow()
	if st, err := readStatus(ctx, c); err != nil || st != "away" {
		t.Errorf("first status under the base path = %q, %v", st, err)
	}
}
