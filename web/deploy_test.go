package web

import (
	"io"
	"net/http"
	"net/http/httptest"
	pathpkg "path"
	"strings"
	"testing"

	"badges/forwarded"
	"badges/presence"
)

// send serves one request from the peer remote with headers kv.
func (f *fixture) send(t *testing.T, method, target, remote string, kv ...string) (*http.Response, string) {
	t.Helper()
	req := httptest.NewRequest(method, target, strings.NewReader(""))
	if method == http.MethodPut {
		req = httptest.NewRequest(method, target, strings.NewReader(`{"status":"away"}`))
	}
	req.RemoteAddr = remote
	for i := 0; i < len(kv); i += 2 {
		req.Header.Add(kv[i], kv[i+1])
	}
	rec := httptest.NewRecorder()
	f.srv.ServeHTTP(rec, req)
	res := rec.Result()
	b, _ := io.ReadAll(res.Body)
	return res, string(b)
}

func TestMethodNotAllowed(t *testing.T) {
	f := newFixture(t, Options{})
	for _, tc := range []struct{ method, target, allow string }{
		{"POST", "/badge/x@example.com.svg", "GET, HEAD, OPTIONS"},
		{"DELETE", "/api/kopano", "GET, HEAD, POST, PUT"},
		{"POST", "/api/v1/presence/a@example.com", "GET, HEAD, PUT, DELETE, OPTIONS"},
		{"PUT", "/healthz", "GET, HEAD"},
	} {
		res, body := f.do(t, tc.method, tc.target, nil)
		if res.StatusCode != http.StatusMethodNotAllowed || res.Header.Get("Allow") != tc.allow ||
			!strings.HasPrefix(body, `{"error":"method not allowed`) {
			t.Errorf("%s %s = %d Allow %q %s, want 405 Allow %q", tc.method, tc.target, res.StatusCode, res.Header.Get("Allow"), body, tc.allow)
		}
	}
	if res, body := f.do(t, "POST", "/no/such/thing", nil); res.StatusCode != 404 || res.Header.Get("Allow") != "" || body != "{\"error\":\"not found\"}\n" {
		t.Errorf("unknown path = %d %q", res.StatusCode, body)
	}
}

func TestPreflight(t *testing.T) {
	f := newFixture(t, Options{})
	hdr := map[string]string{"Origin": "https://elsewhere.example", "Access-Control-Request-Method": "GET",
		"Access-Control-Request-Headers": "if-none-match"}
	for _, target := range []string{"/badge/x@example.com.svg", "/api/v1/presence/x@example.com", "/api/v1/presence?jid=a@b",
		"/shields/x@example.com.json", "/widget.js", "/room/r@rooms.example.com.png"} {
		res, _ := f.do(t, "OPTIONS", target, hdr)
		h := res.Header
		if res.StatusCode != http.StatusNoContent || h.Get("Access-Control-Allow-Origin") != "*" ||
			!strings.Contains(h.Get("Access-Control-Allow-Methods"), "GET") || h.Get("Access-Control-Allow-Headers") != "if-none-match" {
			t.Errorf("OPTIONS %s = %d %v", target, res.StatusCode, h)
		}
	}
	// A page or a write has no preflight.
	for _, target := range []string{"/api/kopano", "/embed/x@example.com"} {
		if res, _ := f.do(t, "OPTIONS", target, hdr); res.StatusCode != http.StatusMethodNotAllowed || res.Header.Get("Access-Control-Allow-Origin") != "" {
			t.Errorf("OPTIONS %s = %d %v", target, res.StatusCode, res.Header)
		}
	}
}

func TestBasePath(t *testing.T) {
	f := newFixture(t, Options{BasePath: "/presence"})
	f.online(t, "alice@example.com", presence.Away, "")
	for _, tc := range []struct {
		target string
		code   int
	}{
		{"/presence/badge/alice@example.com.svg", 200},
		{"/presence/api/v1/presence/alice@example.com", 200},
		{"/presence/metrics", 200},
		{"/presence/healthz", 200},
		{"/presence/widget.js", 200},
		{"/presence" + f.srv.assets.CSS[len("/presence"):], 200},
		{"/badge/alice@example.com.svg", 404},
		{"/healthz", 404},
		{"/", 404},
		{"/presencex/healthz", 404},
		{"/presence", 301},
	} {
		if res, body := f.do(t, "GET", tc.target, nil); res.StatusCode != tc.code {
			t.Errorf("GET %s = %d, want %d: %.200s", tc.target, res.StatusCode, tc.code, body)
		}
	}
	res, body := f.do(t, "GET", "/presence/", map[string]string{"Host": "badges.example"})
	if res.StatusCode != 200 || !strings.Contains(body, `data-base="http://example.com/presence"`) ||
		!strings.Contains(body, `href="/presence/static/pages.`) || !strings.Contains(body, `src="/presence/static/widget.`) {
		t.Errorf("builder under the base path = %d:\n%s", res.StatusCode, body)
	}
	res, body = f.do(t, "GET", "/presence/embed/alice@example.com", nil)
	if res.StatusCode != 200 || !strings.Contains(body, `src="/presence/static/page.`) {
		t.Errorf("embed under the base path = %d:\n%s", res.StatusCode, body)
	}
}

// FuzzUnderBase: a path inside the base reaches the routes as the rest of
// it, which starts with "/"; every other path is a 404 (or, for the bare
// base, a redirect into it), never routed.
func FuzzUnderBase(f *testing.F) {
	for _, s := range []string{"/p/x", "/p", "/p/", "/px", "/", "//p/x", "/p/../x", "/P/x", "/p%2fx"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, path string) {
		if !strings.HasPrefix(path, "/") {
			return
		}
		var seen string
		h := underBase("/p", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { seen = r.URL.Path }))
		req := httptest.NewRequest("GET", "/", nil)
		req.URL.Path = path
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		inside := strings.HasPrefix(path, "/p/")
		cleanPath := pathpkg.Clean(path) == path || pathpkg.Clean(path)+"/" == path
		switch {
		case inside && cleanPath && ("/p"+seen != path || !strings.HasPrefix(seen, "/")):
			t.Fatalf("%q routed as %q", path, seen)
		case inside && !cleanPath && (seen != "" || rec.Code != http.StatusNotFound):
			t.Fatalf("unclean %q = %d, routed as %q", path, rec.Code, seen)
		case !inside && seen != "":
			t.Fatalf("%q outside the base routed as %q", path, seen)
		case !inside && path == "/p" && rec.Code != http.StatusMovedPermanently:
			t.Fatalf("%q = %d", path, rec.Code)
		case !inside && path != "/p" && rec.Code != http.StatusNotFound:
			t.Fatalf("%q = %d", path, rec.Code)
		}
	})
}

func TestTrustedProxies(t *testing.T) {
	proxies, err := forwarded.ParseProxies([]string{"10.0.0.1"})
	if err != nil {
		t.Fatal(err)
	}
	opt := writeOptions(t)
	opt.TrustedProxies, opt.WriteBurst, opt.WriteRate = proxies, 1, 0.001
	f := newFixture(t, opt)
	auth := "Bearer " + keyUnlimited
	put := func(remote string, kv ...string) int {
		res, _ := f.send(t, "PUT", "/api/v1/presence/a@example.com", remote, append([]string{"Authorization", auth}, kv...)...)
		return res.StatusCode
	}
	// Behind the proxy, each forwarded client has its own bucket.
	for _, client := range []string{"198.51.100.1", "198.51.100.2", "2001:db8:1::1"} {
		if code := put("10.0.0.1:5000", "X-Forwarded-For", client); code != 200 {
			t.Errorf("first write of %s through the proxy = %d", client, code)
		}
	}
	if code := put("10.0.0.1:5000", "X-Forwarded-For", "198.51.100.1"); code != http.StatusTooManyRequests {
		t.Errorf("second write of one forwarded client = %d, want 429", code)
	}
	// Another address in the client's IPv6 /64 is the same client.
	if code := put("10.0.0.1:5000", "X-Forwarded-For", "2001:db8:1::2"); code != http.StatusTooManyRequests {
		t.Errorf("same /64 = %d, want 429", code)
	}
	// A direct client forging the header is counted by its own address.
	if code := put("203.0.113.7:1", "X-Forwarded-For", "198.51.100.3"); code != 200 {
		t.Errorf("first direct write = %d", code)
	}
	if code := put("203.0.113.7:2", "X-Forwarded-For", "198.51.100.4"); code != http.StatusTooManyRequests {
		t.Errorf("forged header escaped the limit: %d, want 429", code)
	}
	// The public URL comes from the proxy's headers, and only from it.
	_, body := f.send(t, "GET", "/", "10.0.0.1:5000", "X-Forwarded-Proto", "https", "X-Forwarded-Host", "badges.example.org")
	if !strings.Contains(body, `data-base="https://badges.example.org"`) {
		t.Errorf("builder behind the proxy:\n%s", body)
	}
	_, body = f.send(t, "GET", "/", "203.0.113.7:1", "X-Forwarded-Proto", "https", "X-Forwarded-Host", "evil.example")
	if strings.Contains(body, "evil.example") || !strings.Contains(body, `data-base="http://example.com"`) {
		t.Errorf("builder from a direct client believed its headers:\n%s", body)
	}
}

func TestMetricsElsewhere(t *testing.T) {
	f := newFixture(t, Options{MetricsElsewhere: true})
	if res, _ := f.do(t, "GET", "/metrics", nil); res.StatusCode != 404 {
		t.Errorf("/metrics on the public handler = %d, want 404", res.StatusCode)
	}
	f.do(t, "GET", "/healthz", nil)
	rec := httptest.NewRecorder()
	f.srv.Metrics().ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	if rec.Code != 200 || !strings.Contains(rec.Body.String(), "badges_http_requests_total") {
		t.Errorf("Metrics = %d %s", rec.Code, rec.Body.String())
	}
}

// TestErrorBodiesSayWhatIsWrong: a 400 says what was wrong with the
// request in its own terms, never in a library's (docs/API.md#deployment).
func TestErrorBodiesSayWhatIsWrong(t *testing.T) {
	f := newFixture(t, writeOptions(t))
	for _, tc := range []struct{ method, target, body, want string }{
		{"GET", "/api/v1/presence/a@b@c", "", `invalid JID: \"a@b@c\": not a valid bare JID`},
		{"PUT", "/api/v1/presence/a@example.com", `{"status":`, "body: not valid JSON"},
		{"PUT", "/api/v1/presence/a@example.com", `{"status":"away","ttl":"x"}`, `body: field \"ttl\" has the wrong type`},
	} {
		res, body := f.request(t, tc.method, tc.target, tc.body, map[string]string{"Authorization": "Bearer " + keyUnlimited})
		if res.StatusCode != 400 || !strings.Contains(body, tc.want) {
			t.Errorf("%s %s %s = %d %s, want 400 with %s", tc.method, tc.target, tc.body, res.StatusCode, body, tc.want)
		}
		for _, word := range []string{"idna", "precis", "invalid character", "unexpected end", "Go struct", "int64"} {
			if strings.Contains(body, word) {
				t.Errorf("%s %s: the body carries a library's words (%q): %s", tc.method, tc.target, word, body)
			}
		}
	}
}
