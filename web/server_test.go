package web

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"badges/internal/hubtest"
	"badges/presence"
	"badges/store"
)

// openStore opens a real store in a temporary directory, closed when the
// test ends (after the directory, which is closed first).
func openStore(t *testing.T) *store.Store {
	t.Helper()
	st, err := store.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

// fixture is a server over a real hub and directory.
type fixture struct {
	hub *hubtest.Recorder
	dir *presence.Directory
	srv *Server
}

func newFixture(t *testing.T, opt Options) *fixture {
	t.Helper()
	return newFixtureWith(t, opt, presence.DirectoryOptions{ShowMessages: true})
}

// newFixtureWith is newFixture with a directory configured by dopt.
func newFixtureWith(t *testing.T, opt Options, dopt presence.DirectoryOptions) *fixture {
	t.Helper()
	hub, dir := hubtest.DirectoryWith(t, dopt)
	opt.Hub, opt.Directory = hub, dir
	return &fixture{hub: hub, dir: dir, srv: New(opt)}
}

// do sends a request and returns the recorded response and its body.
func (f *fixture) do(t *testing.T, method, target string, hdr map[string]string) (*http.Response, string) {
	t.Helper()
	return hubtest.Do(t, f.srv, method, target, "", hdr)
}

// online makes jid visible and online with one resource.
func (f *fixture) online(t *testing.T, jid string, st presence.Status, msg string) {
	hubtest.Online(t, f.dir, jid, st, msg)
}

// offline ends jid's resource and waits until the hub shows jid offline.
func (f *fixture) offline(t *testing.T, jid, resource string) {
	t.Helper()
	hubtest.Offline(t, f.hub, f.dir, jid, resource)
}

func TestHealth(t *testing.T) {
	reason := "xmpp watcher not connected"
	f := newFixture(t, Options{Ready: func() string { return reason }})
	if res, _ := f.do(t, "GET", "/healthz", nil); res.StatusCode != 200 {
		t.Errorf("healthz = %d", res.StatusCode)
	}
	res, body := f.do(t, "GET", "/readyz", nil)
	if res.StatusCode != 503 || !strings.Contains(body, reason) {
		t.Errorf("readyz not ready = %d %s", res.StatusCode, body)
	}
	reason = ""
	if res, _ := f.do(t, "GET", "/readyz", nil); res.StatusCode != 200 {
		t.Errorf("readyz ready = %d", res.StatusCode)
	}
}

func TestMetricsCountRoutes(t *testing.T) {
	f := newFixture(t, Options{})
	f.do(t, "GET", "/api/v1/presence/a@example.com", nil)
	_, body := f.do(t, "GET", "/metrics", nil)
	want := `badges_http_requests_total{code="200",route="GET /api/v1/presence/{jid...}"} 1`
	if !strings.Contains(body, want) {
		t.Errorf("metrics lack %s:\n%s", want, body)
	}
}

func TestLimits(t *testing.T) {
	f := newFixture(t, Options{})
	long := "/api/v1/presence/a@example.com?x=" + strings.Repeat("a", 9000)
	if res, body := f.do(t, "GET", long, nil); res.StatusCode != http.StatusRequestURITooLong || !strings.Contains(body, `"error"`) {
		t.Errorf("long URL = %d %s", res.StatusCode, body)
	}
	req := httptest.NewRequest("PUT", "/api/v1/presence/a@example.com", strings.NewReader(strings.Repeat("x", 70<<10)))
	rec := httptest.NewRecorder()
	f.srv.ServeHTTP(rec, req)
	if rec.Code != http.StatusRequestEntityTooLarge {
		t.Errorf("large body = %d", rec.Code)
	}
	if res, body := f.do(t, "GET", "/no/such/thing", nil); res.StatusCode != 404 || body != "{\"error\":\"not found\"}\n" {
		t.Errorf("unknown path = %d %q", res.StatusCode, body)
	}
}
