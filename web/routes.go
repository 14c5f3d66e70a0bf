package web

import "net/http"

// routes lists every route of SPEC section 4 in one place.
func (s *Server) routes(mux *http.ServeMux) {
	// Operations (SPEC 4.7).
	mux.HandleFunc("GET /healthz", s.handleHealthz)
	mux.HandleFunc("GET /readyz", s.handleReadyz)
	mux.Handle("GET /metrics", s.metricsHandler())

	// JSON (SPEC 4.2).
	mux.HandleFunc("GET /api/v1/presence/{jid...}", s.handlePresence)
	mux.HandleFunc("GET /api/v1/presence", s.handlePresenceBatch)
	mux.HandleFunc("GET /api/v1/rooms/{room...}", s.handleRoom)

	// Live (SPEC 4.5).
	mux.HandleFunc("GET /ws", s.handleWS)

	mux.HandleFunc("/", s.handleNotFound)
}
