package web

import (
	"net/http"
	"runtime/debug"
)

// Request limits of SPEC section 6.
const (
	maxURLBytes  = 8 << 10  // longer request targets get 414
	maxBodyBytes = 64 << 10 // larger bodies get 413
)

// limit enforces the URL and body limits before any handler runs.
func (s *Server) limit(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if len(r.RequestURI) > maxURLBytes || len(r.URL.RawQuery)+len(r.URL.Path) > maxURLBytes {
			writeError(w, http.StatusRequestURITooLong, "URL longer than 8 KiB")
			return
		}
		if r.ContentLength > maxBodyBytes {
			writeError(w, http.StatusRequestEntityTooLarge, "request body larger than 64 KiB")
			return
		}
		// A request without a body (every GET of a badge) needs no limit,
		// and skipping the wrapper spares an allocation per request.
		if r.Body != http.NoBody {
			r.Body = http.MaxBytesReader(w, r.Body, maxBodyBytes)
		}
		next.ServeHTTP(w, r)
	})
}

// recoverPanics turns a handler panic into a logged 500 instead of a dropped
// connection. http.ErrAbortHandler keeps its meaning.
func (s *Server) recoverPanics(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler {
					panic(v)
				}
				s.log.Error("handler panic", "path", r.URL.Path, "panic", v, "stack", string(debug.Stack()))
				writeError(w, http.StatusInternalServerError, "internal error")
			}
		}()
		next.ServeHTTP(w, r)
	})
}
