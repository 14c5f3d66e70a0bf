package web

import "badges/apidoc"

// catchAll is the pattern of handleUnmatched.
const catchAll = "/"

// routes lists every route of docs/API.md in one place.
func (s *Server) routes(mux router) {
	// Operations (docs/API.md#operations). With a metrics address of its
	// own, /metrics is served there (Server.Metrics) and not here.
	mux.HandleFunc("GET /healthz", s.handleHealthz)
	mux.HandleFunc("GET /readyz", s.handleReadyz)
	if !s.metricsElsewhere {
		mux.Handle("GET /metrics", s.Metrics())
	}
	mux.Handle("GET /openapi.json", apidoc.Handler())

	// Badges and images (docs/API.md#badges-and-images). A wildcard must be a whole segment, so
	// the handlers cut ".svg" or ".png" off the name themselves.
	mux.HandleFunc("GET /badge/{file...}", s.handleBadge)
	mux.HandleFunc("GET /icon/{file...}", s.handleIcon)
	mux.HandleFunc("GET /room/{file...}", s.handleRoomBadge)
	mux.HandleFunc("GET /avatar/{file...}", s.handleAvatar)
	mux.HandleFunc("GET /card/{file...}", s.handleCard)
	mux.HandleFunc("GET /group/{file...}", s.handleGroupBadge)

	// JSON (docs/API.md#json).
	mux.HandleFunc("GET /api/v1/presence/{jid...}", s.handlePresence)
	mux.HandleFunc("GET /api/v1/presence", s.handlePresenceBatch)
	mux.HandleFunc("GET /api/v1/rooms/{room...}", s.handleRoom)
	mux.HandleFunc("GET /api/v1/groups/{group}", s.handleGroup)
	mux.HandleFunc("GET /shields/{file...}", s.handleShields)
	mux.HandleFunc("GET /shields/room/{file...}", s.handleShieldsRoom)

	// Live (docs/API.md#live).
	mux.HandleFunc("GET /ws", s.handleWS)

	// Pages and assets (docs/API.md#pages).
	mux.HandleFunc("GET /{$}", s.handleBuilder)
	mux.HandleFunc("GET /embed/{jid...}", s.handleEmbedJID)
	mux.HandleFunc("GET /embed/room/{room...}", s.handleEmbedRoom)
	mux.HandleFunc("GET /dashboard", s.handleDashboard)
	mux.HandleFunc("GET /dashboard/{group}", s.handleDashboardGroup)
	mux.HandleFunc("GET /widget.js", s.handleWidget)
	mux.HandleFunc("GET /static/{file}", s.handleStatic)
	mux.HandleFunc("GET /favicon.ico", s.handleFavicon)

	// Writing presence (docs/API.md#writing-presence).
	mux.HandleFunc("PUT /api/v1/presence/{jid...}", s.handlePresencePut)
	mux.HandleFunc("DELETE /api/v1/presence/{jid...}", s.handlePresenceDelete)

	// Openfire presence plugin compatibility (docs/API.md#compatibility).
	mux.Handle("GET /plugins/presence/status", s.openfire)
	mux.Handle("POST /plugins/presence/status", s.openfire)

	// kopano-presence compatibility (docs/API.md#compatibility): a JSON body on every method.
	mux.HandleFunc("GET /api/kopano", s.kopano.Get)
	mux.HandleFunc("PUT /api/kopano", s.kopano.Put)
	mux.HandleFunc("POST /api/kopano", s.kopano.Post)

	// What no route takes: 405 with Allow, CORS preflights of the public
	// GETs (publicGETs), 404.
	mux.HandleFunc(catchAll, s.handleUnmatched)
}
