package web

import (
	"net/http"
	"strings"
)

// badgeRoute is the pattern of the badge route in routes.
const badgeRoute = "GET /badge/{file...}"

// fastRoutes answers the badge route, the busiest of all (every page that
// embeds a badge), without http.ServeMux's path cleaning and matching, which
// cost about as much as the rest of a cached badge's handler
// (docs/PERFORMANCE.md, "Badges over HTTP"). It takes only requests that
// mux would route to the same handler with the same file unchanged: GET or
// HEAD, a path already clean and with nothing escaped; everything else goes
// to mux. If mux does not route a probe to badgeRoute (the routes changed),
// there is no fast path.
func (s *Server) fastRoutes(mux *http.ServeMux) http.Handler {
	probe, err := http.NewRequest(http.MethodGet, "/badge/a@example.com.svg", nil)
	if err != nil {
		return mux
	}
	if _, pat := mux.Handler(probe); pat != badgeRoute {
		return mux
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		file, ok := strings.CutPrefix(r.URL.Path, "/badge/")
		if !ok || file == "" || r.Method != http.MethodGet && r.Method != http.MethodHead ||
			r.URL.RawPath != "" || !cleanPath(r.URL.Path) {
			mux.ServeHTTP(w, r)
			return
		}
		r.Pattern = badgeRoute // as mux sets it, for the metrics
		s.serveImage(w, r, file, badgeImage)
	})
}

// cleanPath reports whether path.Clean would leave p as it is, but for a
// trailing slash, which http.ServeMux keeps too: no empty, "." or ".."
// segment.
func cleanPath(p string) bool {
	if p == "" || p[0] != '/' {
		return false
	}
	for seg := range strings.SplitSeq(p[1:], "/") {
		if seg == "." || seg == ".." {
			return false
		}
	}
	return !strings.Contains(p, "//")
}
