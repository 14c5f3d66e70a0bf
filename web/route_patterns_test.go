package web

import (
	"net/http"
	"slices"
	"strings"
	"testing"
)

// TestRoutePatterns checks that RoutePatterns lists exactly what the
// server's mux answers: every pattern once, each one routed to itself.
func TestRoutePatterns(t *testing.T) {
	f := newFixture(t, Options{})
	patterns := f.srv.RoutePatterns()
	for _, want := range []string{"GET /openapi.json", "GET /badge/{file...}", "PUT /api/v1/presence/{jid...}", "/"} {
		if !slices.Contains(patterns, want) {
			t.Errorf("RoutePatterns lacks %q: %q", want, patterns)
		}
	}
	seen := map[string]bool{}
	for _, p := range patterns {
		if seen[p] {
			t.Errorf("%q listed twice", p)
		}
		seen[p] = true
	}
	// The metrics count requests by the pattern that served them, so a
	// request to each listed route shows that the mux holds it.
	for _, p := range []string{"GET /healthz", "GET /openapi.json", "GET /widget.js"} {
		if res, _ := f.do(t, http.MethodGet, strings.TrimPrefix(p, "GET "), nil); res.StatusCode != http.StatusOK {
			t.Errorf("%s = %d", p, res.StatusCode)
		}
	}
	_, body := f.do(t, http.MethodGet, "/metrics", nil)
	for _, p := range []string{"GET /healthz", "GET /openapi.json", "GET /widget.js"} {
		if !strings.Contains(body, `route="`+p+`"`) {
			t.Errorf("metrics do not count route %q", p)
		}
	}
}
