package web

import (
	"net/http"

	"badges/presence"
	"badges/render"
	"badges/web/respond"
)

// favicon is /favicon.ico, drawn once: browsers ask for it on every page,
// and a 404 there is an error in every console.
var (
	faviconBody = render.Favicon()
	faviconETag = presence.ETag(faviconBody)
)

// cacheFavicon lets browsers keep the icon for a day.
const cacheFavicon = "public, max-age=86400"

// handleFavicon serves GET /favicon.ico.
func (s *Server) handleFavicon(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("Content-Type", "image/vnd.microsoft.icon")
	h.Set("Cache-Control", cacheFavicon)
	h.Set("ETag", faviconETag)
	h.Set("X-Content-Type-Options", "nosniff")
	if respond.ETagMatches(r.Header.Get("If-None-Match"), faviconETag) {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	if r.Method != http.MethodHead {
		_, _ = w.Write(faviconBody)
	}
}
