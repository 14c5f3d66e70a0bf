package web

import (
	"net/http"

	"badges/apidoc"
)

// catchAll is the pattern of handleUnmatched.
const catchAll = "/"

// imageRoutes are the routes that answer images (docs/API.md#badges-and-images),
// by prefix: a name there ends in ".svg" or ".png". Requests refused before
// routing are answered with an image on them too (Server.refuse).
var imageRoutes = []struct {
	prefix string
	serve  func(*Server, http.ResponseWriter, *http.Request)
}{
	{"/badge/", (*Server).handleBadge},
	{"/icon/", (*Server).handleIcon},
	{"/room/", (*Server).handleRoomBadge},
	{"/avatar/", (*Server).handleAvatar},
	{"/card/", (*Server).handleCard},
	{"/group/", (*Server).handleGroupBadge},
}

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
	for _, ir := range imageRoutes {
		mux.HandleFunc("GET "+ir.prefix+"{file...}", func(w http.ResponseWriter, r *http.Request) { ir.serve(s, w, r) })
	}

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
