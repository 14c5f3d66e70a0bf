package e2e

import (
	"context"
	"crypto/tls"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/coder/websocket"

	"badges/internal/testenv"
)

// publicHost is the name the tests' nginx serves under.
const publicHost = "badges.example.com"

// front is the deployment's nginx site (deploy/nginx.conf, as README.md
// shows it) in front of a badges process started by the test.
type front struct {
	srv  *proc
	url  string      // https://127.0.0.1:PORT, nginx
	tls  *tls.Config // trusts nginx's certificate
	addr string      // nginx's host:port
}

// proxied is badges started for a proxy in front of it: the deployment's
// file for that proxy, and the certificate it is to serve for publicHost.
type proxied struct {
	site      string
	srv       *proc
	cert, key string
	tls       *tls.Config // trusts that certificate
}

// startProxied reads deploy/file and starts badges with -trusted-proxies
// 127.0.0.1 (the proxy's address towards it), args and, when basePath is
// set, -base-path basePath.
func startProxied(t *testing.T, file, basePath string, args ...string) proxied {
	t.Helper()
	site, err := os.ReadFile(filepath.Join("../../deploy", file))
	if err != nil {
		t.Fatal(err)
	}
	args = append([]string{"-trusted-proxies", "127.0.0.1"}, args...)
	if basePath != "" {
		args = append(args, "-base-path", basePath)
	}
	p := proxied{site: string(site), srv: startWith(t, t.TempDir(), launch{base: basePath}, args...)}
	dir := t.TempDir()
	p.cert, p.key = filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	pool, err := testenv.WriteCert(p.cert, p.key, []string{publicHost})
	if err != nil {
		t.Fatal(err)
	}
	p.tls = &tls.Config{RootCAs: pool, ServerName: publicHost}
	return p
}

// behindNginx starts badges (startProxied) and nginx in front of it with
// deploy/nginx.conf. A base path moves nginx's location and badges'
// -base-path together.
func behindNginx(t *testing.T, basePath string, args ...string) *front {
	t.Helper()
	p := startProxied(t, "nginx.conf", basePath, args...)
	replace := []string{
		"server 127.0.0.1:8080;", "server " + p.srv.addr + ";",
		"/etc/ssl/badges/fullchain.pem", p.cert, "/etc/ssl/badges/privkey.pem", p.key,
	}
	if basePath != "" {
		replace = append(replace, "location / {", "location "+basePath+"/ {")
	}
	n := testenv.StartNginx(t, testenv.NginxOptions{Site: p.site, Replace: replace})
	return &front{srv: p.srv, url: "https://" + n.Addr, addr: n.Addr, tls: p.tls}
}

// clientAddr is the i-th of many loopback client addresses, 127.1.x.y,
// none of them a trusted proxy.
func clientAddr(i int) net.IP { return net.IPv4(127, 1, byte(i/250), byte(i%250+1)) }

// dialWS opens a WebSocket to url from the local address from, with extra
// headers; its error carries the HTTP status of a refusal.
func dialWS(ctx context.Context, url string, from net.IP, tc *tls.Config, hdr http.Header) (*websocket.Conn, int, error) {
	d := &net.Dialer{LocalAddr: &net.TCPAddr{IP: from}, Timeout: 5 * time.Second}
	client := &http.Client{Transport: &http.Transport{DialContext: d.DialContext, TLSClientConfig: tc}}
	c, res, err := websocket.Dial(ctx, url, &websocket.DialOptions{HTTPClient: client, HTTPHeader: hdr})
	code := 0
	if res != nil {
		code = res.StatusCode
	}
	return c, code, err
}

// readStatus reads presence frames until one has a status, and returns it.
func readStatus(ctx context.Context, c *websocket.Conn) (string, error) {
	for {
		_, b, err := c.Read(ctx)
		if err != nil {
			return "", err
		}
		var f struct {
			Type     string `json:"type"`
			Presence struct {
				Status string `json:"status"`
			} `json:"presence"`
		}
		if err := json.Unmarshal(b, &f); err != nil {
			return "", err
		}
		if f.Type == "presence" {
			return f.Presence.Status, nil
		}
	}
}

// TestNginx500Clients: 500 viewers from 500 addresses open the live socket
// through nginx; each is its own client to badges, so all of them connect
// (behind a proxy that badges did not trust, all but 30 would get 429) and
// all of them see the next change.
func TestNginx500Clients(t *testing.T) {
	const viewers = 500
	f := behindNginx(t, "")
	const jid = "alice@example.com"
	f.srv.put(jid, `{"status":"available"}`)
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
	defer cancel()

	conns := make([]*websocket.Conn, viewers)
	var failed atomic.Int32
	var firstErr sync.Once
	var wg sync.WaitGroup
	next := make(chan int)
	for range 25 { // dialers at once
		wg.Go(func() {
			for i := range next {
				c, code, err := dialWS(ctx, "wss://"+f.addr+"/ws?jid="+jid, clientAddr(i), f.tls, nil)
				if err == nil {
					var st string
					if st, err = readStatus(ctx, c); err == nil && st != "available" {
						err = fmt.Errorf("first status %q", st)
					}
				}
				if err != nil {
					failed.Add(1)
					firstErr.Do(func() { t.Errorf("viewer %d from %v: HTTP %d: %v", i, clientAddr(i), code, err) })
					continue
				}
				conns[i] = c
			}
		})
	}
	for i := range viewers {
		next <- i
	}
	close(next)
	wg.Wait()
	t.Cleanup(func() {
		for _, c := range conns {
			if c != nil {
				c.CloseNow()
			}
		}
	})
	open := viewers - int(failed.Load())
	t.Logf("%d of %d WebSockets through nginx connected", open, viewers)
	if open != viewers {
		t.Fatalf("%d of %d viewers connected", open, viewers)
	}
	if code, body := f.srv.do("GET", "/metrics", "", nil); code != 200 || !strings.Contains(body, fmt.Sprintf("badges_websocket_connections %d", viewers)) {
		t.Errorf("badges does not count %d open sockets:\n%s", viewers, grepLines(body, "badges_websocket"))
	}

	f.srv.put(jid, `{"status":"dnd"}`)
	var saw atomic.Int32
	for _, c := range conns {
		wg.Go(func() {
			if st, err := readStatus(ctx, c); err == nil && st == "dnd" {
				saw.Add(1)
			}
		})
	}
	wg.Wait()
	if saw.Load() != viewers {
		t.Errorf("%d of %d viewers saw the change", saw.Load(), viewers)
	}
}

// TestNginxPerClientCaps: the per-client cap counts each forwarded address
// on its own, and a client that reaches badges directly is counted by its
// own address whatever X-Forwarded-For it sends.
func TestNginxPerClientCaps(t *testing.T) {
	f := behindNginx(t, "", "-ws-per-client", "3", "-ws-connect-burst", "100")
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	defer cancel()
	var open []*websocket.Conn
	t.Cleanup(func() {
		for _, c := range open {
			c.CloseNow()
		}
	})
	dial := func(url string, from net.IP, tc *tls.Config, hdr http.Header) int {
		t.Helper()
		c, code, err := dialWS(ctx, url, from, tc, hdr)
		if err == nil {
			open = append(open, c)
			return http.StatusSwitchingProtocols
		}
		return code
	}
	viaNginx := "wss://" + f.addr + "/ws"
	for i := range 3 {
		if code := dial(viaNginx, clientAddr(1), f.tls, nil); code != http.StatusSwitchingProtocols {
			t.Fatalf("socket %d of a forwarded client = %d", i+1, code)
		}
	}
	if code := dial(viaNginx, clientAddr(1), f.tls, nil); code != http.StatusTooManyRequests {
		t.Errorf("4th socket of one forwarded client = %d, want 429", code)
	}
	if code := dial(viaNginx, clientAddr(2), f.tls, nil); code != http.StatusSwitchingProtocols {
		t.Errorf("another forwarded client = %d, want a socket", code)
	}

	direct := "ws://" + f.srv.addr + "/ws"
	forger := net.IPv4(127, 0, 0, 2) // loopback, yet not a trusted proxy
	for i := range 4 {
		hdr := http.Header{"X-Forwarded-For": {fmt.Sprintf("198.51.100.%d", i+1)}}
		code := dial(direct, forger, nil, hdr)
		want := http.StatusSwitchingProtocols
		if i == 3 {
			want = http.StatusTooManyRequests
		}
		if code != want {
			t.Errorf("direct socket %d with a forged X-Forwarded-For = %d, want %d", i+1, code, want)
		}
	}
}

// TestNginxBuilderSnippets: behind nginx, which tells badges that the
// client came over https to badges.example.com, the builder's snippets
// point there.
func TestNginxBuilderSnippets(t *testing.T) {
	f := behindNginx(t, "")
	body := f.get(t, "/", http.StatusOK)
	if want := `data-base="https://` + publicHost + `"`; !strings.Contains(body, want) {
		t.Errorf("builder lacks %s:\n%.600s", want, body)
	}
}

// get fetches path from nginx as a browser at publicHost would.
func (f *front) get(t *testing.T, path string, want int) string {
	t.Helper()
	client := &http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{
		TLSClientConfig: f.tls, ForceAttemptHTTP2: true,
		DialContext: func(ctx context.Context, network, _ string) (net.Conn, error) {
			return (&net.Dialer{}).DialContext(ctx, network, f.addr)
		},
	}}
	res, err := client.Get("https://" + publicHost + path)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	if res.StatusCode != want {
		t.Fatalf("GET %s through nginx = %d, want %d: %.300s", path, res.StatusCode, want, b)
	}
	return string(b)
}

// TestNginxBasePath: under -base-path /presence behind nginx's location
// /presence/, every route, asset and snippet lives under the prefix, and
// the embed page in a browser follows a change live over the socket.
func TestNginxBasePath(t *testing.T) {
	f := behindNginx(t, "/presence")
	const jid = "alice@example.com"
	f.srv.put(jid, `{"status":"available"}`)

	if body := f.get(t, "/presence/badge/"+jid+".svg", http.StatusOK); !strings.Contains(body, "online") {
		t.Errorf("badge under the base path: %.300s", body)
	}
	f.get(t, "/presence/api/v1/presence/"+jid, http.StatusOK)
	f.get(t, "/badge/"+jid+".svg", http.StatusNotFound)
	if code, _ := f.srv.do("GET", "/../badge/"+jid+".svg", "", nil); code != http.StatusNotFound {
		t.Errorf("badges outside its base path = %d, want 404", code)
	}
	builder := f.get(t, "/presence/", http.StatusOK)
	if want := `data-base="https://` + publicHost + `/presence"`; !strings.Contains(builder, want) {
		t.Errorf("builder lacks %s:\n%.600s", want, builder)
	}
	for _, asset := range regexp.MustCompile(`(?:href|src)="(/[^"]+)"`).FindAllStringSubmatch(builder, -1) {
		if !strings.HasPrefix(asset[1], "/presence/static/") {
			t.Errorf("asset %s outside the base path", asset[1])
			continue
		}
		f.get(t, asset[1], http.StatusOK)
	}

	tab := testenv.ChromiumTrustingAnyCert(t)
	ctx, cancel := context.WithTimeout(tab, time.Minute)
	defer cancel()
	if err := chromedp.Do(ctx, chromedp.Navigate(f.url+"/presence/embed/"+jid)); err != nil {
		t.Fatal(err)
	}
	browserAwait(t, ctx, `document.querySelector('.word').textContent === 'online'`)
	// The page's socket is open, under the base path, through nginx.
	deadline := time.Now().Add(changeWait)
	for {
		_, body := f.srv.do("GET", "/metrics", "", nil)
		if strings.Contains(body, "badges_websocket_connections 1") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the embed page opened no socket:\n%s", grepLines(body, "badges_websocket"))
		}
		time.Sleep(pollEvery)
	}
	f.srv.put(jid, `{"status":"dnd"}`)
	browserAwait(t, ctx, `document.querySelector('.word').textContent === 'do not disturb'`)
}

// grepLines keeps the lines of s that contain sub.
func grepLines(s, sub string) string {
	var out []string
	for line := range strings.Lines(s) {
		if strings.Contains(line, sub) {
			out = append(out, strings.TrimSpace(line))
		}
	}
	return strings.Join(out, "\n")
}
