package web

import (
	"net/http"
	"strings"

	"badges/web/respond"
)

// underBase serves the routes under the base path (docs/API.md#deployment):
// a request for base+"/x" is routed as "/x", and everything outside the
// base is a 404. The bare base redirects to base+"/", where the builder
// lives, as a directory would. An empty base serves from the root.
func underBase(base string, next http.Handler) http.Handler {
	if base == "" {
		return next
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rest, ok := strings.CutPrefix(r.URL.Path, base)
		switch {
		case ok && rest == "" && (r.Method == http.MethodGet || r.Method == http.MethodHead):
			target := base + "/"
			if r.URL.RawQuery != "" {
				target += "?" + r.URL.RawQuery
			}
			http.Redirect(w, r, target, http.StatusMovedPermanently)
			return
		case !ok || !strings.HasPrefix(rest, "/") || !clean(rest):
			// An unclean path would have the mux redirect to its clean
			// form, which it knows only without the base.
			respond.Error(w, http.StatusNotFound, "not found")
			return
		}
		r2 := new(http.Request)
		*r2 = *r
		u := *r.URL
		u.Path = rest
		// The base holds only unreserved characters, which are the same
		// escaped or not, so the raw path loses exactly the same prefix.
		u.RawPath = strings.TrimPrefix(u.RawPath, base)
		r2.URL = &u
		next.ServeHTTP(w, r2)
	})
}

// clean reports whether p has no empty, "." or ".." segment, as path.Clean
// would leave it (a trailing slash aside).
func clean(p string) bool {
	return !strings.Contains(p, "//") && !strings.Contains(p, "/./") && !strings.Contains(p, "/../") &&
		!strings.HasSuffix(p, "/.") && !strings.HasSuffix(p, "/..")
}
