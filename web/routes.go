package web

import "net/http"

// routes lists every route of SPEC section 4 in one place.
func (s *Server) routes(mux *http.ServeMux) {
	// Operations (SPEC 4.7).
	mux.HandleFunc("GET /healthz", s.handleHealthz)
	mux.HandleFunc("GET /readyz", s.handleReadyz)
	mux.Handle("GET /metrics", s.metricsHandler())

	// Badges and images (SPEC 4.1). A wildcard must be a whole segment, so
	// the handlers cut ".svg" or ".png" off the name themselves.
	mux.HandleFunc("GET /badge/{file...}", s.handleBadge)
	mux.HandleFunc("GET /icon/{file...}", s.handleIcon)
	mux.HandleFunc("GET /room/{file...}", s.handleRoomBadge)
	mux.HandleFunc("GET /avatar/{file...}", s.handleAvatar)

	// JSON (SPEC 4.2).
	mux.HandleFunc("GET /api/v1/presence/{jid...}", s.handlePresence)
	mux.HandleFunc("GET /api/v1/presence", s.handlePresenceBatch)
	mux.HandleFunc("GET /api/v1/rooms/{room...}", s.handleRoom)
	mux.HandleFunc("GET /shields/{file...}", s.handleShields)
	mux.HandleFunc("GET /shields/room/{file...}", s.handleShieldsRoom)

	// Live (SPEC 4.5).
	mux.HandleFunc("GET /ws", s.handleWS)

	// Pages and assets (SPEC 4.6).
	mux.HandleFunc("GET /{$}", s.handleBuilder)
	mux.HandleFunc("GET /embed/{jid...}", s.handleEmbedJID)
	mux.HandleFunc("GET /embed/room/{room...}", s.handleEmbedRoom)
	mux.HandleFunc("GET /dashboard", s.handleDashboard)
	mux.HandleFunc("GET /dashboard/{group}", s.handleDashboardGroup)
	mux.HandleFunc("GET /widget.js", s.handleWidget)
	mux.HandleFunc("GET /static/{file}", s.handleStatic)

	// Writing presence (SPEC 4.3).
	mux.HandleFunc("PUT /api/v1/presence/{jid...}", s.handlePresencePut)
	mux.HandleFunc("DELETE /api/v1/presence/{jid...}", s.handlePresenceDelete)

	// Openfire presence plugin compatibility (SPEC 4.4).
	mux.HandleFunc("GET /plugins/presence/status", s.handleOpenfire)
	mux.HandleFunc("POST /plugins/presence/status", s.handleOpenfire)

	// kopano-presence compatibility (SPEC 4.4): a JSON body on every method.
	mux.HandleFunc("GET /api/kopano", s.handleKopanoGet)
	mux.HandleFunc("PUT /api/kopano", s.handleKopanoPut)
	mux.HandleFunc("POST /api/kopano", s.handleKopanoPost)

	mux.HandleFunc("/", s.handleNotFound)
}
