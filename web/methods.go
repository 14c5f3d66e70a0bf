package web

import (
	"net/http"
	"strings"

	"badges/web/respond"
)

// preflightMaxAge lets a browser remember a preflight for a day: what the
// public GETs allow never changes while the server runs.
const preflightMaxAge = "86400"

// handlePreflight answers a CORS preflight (OPTIONS) for a public GET
// (docs/API.md#deployment): any origin may read, with GET or HEAD and the
// headers it asked for, none of which carry credentials here.
func (s *Server) handlePreflight(w http.ResponseWriter, r *http.Request) {
	respond.PublicCORS(w)
	h := w.Header()
	h.Set("Access-Control-Allow-Methods", "GET, HEAD, OPTIONS")
	if req := r.Header.Get("Access-Control-Request-Headers"); req != "" {
		h.Set("Access-Control-Allow-Headers", req)
	}
	h.Set("Access-Control-Max-Age", preflightMaxAge)
	h.Set("Allow", "GET, HEAD, OPTIONS")
	h.Add("Vary", "Access-Control-Request-Headers")
	w.WriteHeader(http.StatusNoContent)
}

// methods are those the routes use, in the order Allow lists them.
var methods = []string{http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodDelete}

// publicGETs are the routes any origin may read (they send
// Access-Control-Allow-Origin: *), so an OPTIONS preflight for them is
// answered (docs/API.md#deployment).
var publicGETs = map[string]bool{
	"GET /badge/{file...}": true, "GET /icon/{file...}": true, "GET /room/{file...}": true,
	"GET /api/v1/presence/{jid...}": true, "GET /api/v1/presence": true, "GET /api/v1/rooms/{room...}": true,
	"GET /shields/{file...}": true, "GET /shields/room/{file...}": true, "GET /plugins/presence/status": true,
	"GET /widget.js": true, "GET /static/{file}": true,
}

// handleUnmatched answers what no route takes, in JSON as every API error:
// a CORS preflight for a public GET, 405 with Allow for a known path and a
// wrong method, else 404 (docs/API.md#deployment). It runs only when
// nothing else matched, so asking the mux which methods the path has costs
// nothing on the routes that are.
func (s *Server) handleUnmatched(w http.ResponseWriter, r *http.Request) {
	var allow []string
	public := false
	for _, m := range methods {
		probe := *r
		probe.Method = m
		if _, pattern := s.mux.Handler(&probe); pattern != "" && pattern != catchAll {
			allow = append(allow, m)
			public = public || publicGETs[pattern]
		}
	}
	if public {
		if r.Method == http.MethodOptions {
			s.handlePreflight(w, r)
			return
		}
		allow = append(allow, http.MethodOptions)
	}
	if len(allow) == 0 {
		respond.Error(w, http.StatusNotFound, "not found")
		return
	}
	list := strings.Join(allow, ", ")
	w.Header().Set("Allow", list)
	respond.Error(w, http.StatusMethodNotAllowed, "method not allowed; allowed: "+list)
}
