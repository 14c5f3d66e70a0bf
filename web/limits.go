package web

import (
	"net/http"
	"runtime/debug"
	"time"

	"badges/web/respond"
)

// Request limits of docs/API.md#errors-and-limits.
const (
	maxURLBytes  = 8 << 10  // longer request targets get 414
	maxBodyBytes = 64 << 10 // larger bodies get 413
)

// bodyReadWait bounds how long a request body may take to arrive, counted
// from when the handlers start, so that every handler ends (docs/DESIGN.md: every
// goroutine has a way to stop). The server bounds only the headers
// (ReadHeaderTimeout) and the idle time between requests, so a client that
// declares a body and never sends it would hold a handler and its
// connection for ever. A body is at most
// maxBodyBytes, which any working link delivers in well under a second;
// 10 s leaves room for a poor mobile uplink.
const bodyReadWait = 10 * time.Second

// limit enforces the URL and body limits, and the body's deadline, before
// any handler runs.
func (s *Server) limit(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if len(r.RequestURI) > maxURLBytes || len(r.URL.RawQuery)+len(r.URL.Path) > maxURLBytes {
			writeError(w, http.StatusRequestURITooLong, "URL longer than 8 KiB")
			return
		}
		if r.ContentLength > maxBodyBytes {
			writeError(w, http.StatusRequestEntityTooLarge, respond.ErrBodyTooLarge.Error())
			return
		}
		// A request without a body (every GET of a badge, every WebSocket
		// upgrade) needs no limit and no deadline, and skipping the
		// wrappers spares allocations per request.
		if r.Body != http.NoBody {
			// The deadline ends with the body: net/http lifts it when the
			// body has been read whole (to watch the connection in the
			// background), and Hijack lifts every deadline, so neither the
			// handler's context nor a hijacked connection inherits it. Not
			// every writer can set one (a test recorder cannot); net/http's
			// own can.
			_ = http.NewResponseController(w).SetReadDeadline(time.Now().Add(s.bodyWait))
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
