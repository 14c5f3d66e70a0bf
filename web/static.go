package web

import (
	"net/http"

	"badges/static"
	"badges/templates"
	"badges/web/respond"
)

// Cache lifetimes of static assets.
const (
	// cacheImmutable: a content-hashed URL never changes its bytes.
	cacheImmutable = "public, max-age=31536000, immutable"
	// cacheWidget: /widget.js keeps one URL for every embedding page, so
	// caches must come back soon to pick up a new release (and revalidate
	// cheaply with the ETag).
	cacheWidget = "public, max-age=300"
)

// handleStatic serves GET /static/{file}: assets by content-hashed name.
func (s *Server) handleStatic(w http.ResponseWriter, r *http.Request) {
	a, ok := static.Hashed(r.PathValue("file"))
	if !ok {
		respond.Error(w, http.StatusNotFound, "not found")
		return
	}
	serveAsset(w, r, a, cacheImmutable)
}

// handleWidget serves GET /widget.js under its stable URL, for embedding
// on other sites.
func (s *Server) handleWidget(w http.ResponseWriter, r *http.Request) {
	a, _ := static.Get("widget.js")
	serveAsset(w, r, a, cacheWidget)
}

func serveAsset(w http.ResponseWriter, r *http.Request, a *static.Asset, cache string) {
	h := w.Header()
	h.Set("Content-Type", a.Type)
	h.Set("Cache-Control", cache)
	h.Set("ETag", a.ETag)
	h.Set("X-Content-Type-Options", "nosniff")
	respond.PublicCORS(w)
	if respond.ETagMatches(r.Header.Get("If-None-Match"), a.ETag) {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	if r.Method != http.MethodHead {
		_, _ = w.Write(a.Body)
	}
}

// assetsUnder are the hashed URLs pages load, under the base path.
func assetsUnder(base string) templates.Assets {
	return templates.Assets{
		CSS:     base + static.URL("pages.css"),
		Widget:  base + static.URL("widget.js"),
		Page:    base + static.URL("page.js"),
		Builder: base + static.URL("builder.js"),
	}
}
