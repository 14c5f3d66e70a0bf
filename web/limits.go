package web

import (
	"net/http"
	"runtime/debug"
	"strings"
	"time"

	"badges/render"
	"badges/web/respond"
)

// maxURLBytes is the request limit of docs/API.md#errors-and-limits on
// targets: longer ones get 414. Bodies larger than respond.MaxBodyBytes get
// 413.
const maxURLBytes = 8 << 10

// bodyReadWait bounds how long a request body may take to arrive, counted
// from when the handlers start, so that every handler ends (docs/DESIGN.md: every
// goroutine has a way to stop). The server bounds only the headers
// (ReadHeaderTimeout) and the idle time between requests, so a client that
// declares a body and never sends it would hold a handler and its
// connection for ever. A body is at most
// respond.MaxBodyBytes, which any working link delivers in well under a second;
// 10 s leaves room for a poor mobile uplink.
const bodyReadWait = 10 * time.Second

// limit enforces the URL and body limits, and the body's deadline, before
// any handler runs.
func (s *Server) limit(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if len(r.RequestURI) > maxURLBytes || len(r.URL.RawQuery)+len(r.URL.Path) > maxURLBytes {
			s.refuse(w, r, http.StatusRequestURITooLong, "URL longer than 8 KiB")
			return
		}
		if r.ContentLength > respond.MaxBodyBytes {
			s.refuse(w, r, http.StatusRequestEntityTooLarge, respond.ErrBodyTooLarge.Error())
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
			r.Body = http.MaxBytesReader(w, r.Body, respond.MaxBodyBytes)
		}
		next.ServeHTTP(w, r)
	})
}

// refuse answers a request over a limit: an image that says msg on an
// image route, so that an <img> shows what is wrong instead of breaking
// (docs/API.md#badges-and-images), a JSON API error elsewhere. The image
// takes no style from the query, which may be what is too long.
func (s *Server) refuse(w http.ResponseWriter, r *http.Request, code int, msg string) {
	if f, ok := s.imageRoute(r); ok {
		respond.PublicCORS(w)
		respond.Image(w, r, code, s.images.error(msg, "", f))
		return
	}
	respond.Error(w, code, msg)
}

// imageRoute reports whether r, not yet routed, asks for an image, and in
// which format.
func (s *Server) imageRoute(r *http.Request) (render.Format, bool) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		return 0, false
	}
	p, ok := strings.CutPrefix(r.URL.Path, s.base)
	if !ok {
		return 0, false
	}
	var f render.Format
	switch {
	case strings.HasSuffix(p, ".svg"):
		f = render.SVG
	case strings.HasSuffix(p, ".png"):
		f = render.PNG
	default:
		return 0, false
	}
	for _, ir := range imageRoutes {
		if strings.HasPrefix(p, ir.prefix) {
			return f, true
		}
	}
	return 0, false
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
				respond.Error(w, http.StatusInternalServerError, "internal error")
			}
		}()
		next.ServeHTTP(w, r)
	})
}
