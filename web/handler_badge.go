package web

import (
	"net/http"
	"net/url"

	"badges/presence"
	"badges/render"
)

// defaultRenderCacheSize is Options.RenderCacheSize when unset: an SVG
// badge takes about 1.5 KiB and a PNG up to a few, so a busy instance
// keeps its every badge for some MiB.
const defaultRenderCacheSize = 4096

// cspImage locks an SVG opened on its own (not through <img>, where no
// script runs anyway) down to its inline presentation: no script, no
// fetch, no frame. Badges carry no style sheets or images, but a
// presentation style attribute must not be what breaks one.
const cspImage = "default-src 'none'; style-src 'unsafe-inline'"

// hdrCSPImage is cspImage as a shared header value (see hdrNoCache).
var hdrCSPImage = []string{cspImage}

// defaultOptions are the options of an image URL without a query, the
// common case, parsed once.
var defaultOptions = [...]render.Options{
	render.SVG: render.ParseQuery(nil, render.SVG),
	render.PNG: render.ParseQuery(nil, render.PNG),
}

func newImageCache(size int) *render.Cache {
	if size <= 0 {
		size = defaultRenderCacheSize
	}
	c, err := render.NewCache(size)
	if err != nil {
		panic("web: " + err.Error()) // only for a size <= 0
	}
	return c
}

// imageKind is what an image route draws.
type imageKind uint8

const (
	badgeImage imageKind = iota // a JID's badge
	iconImage                   // a JID's status dot
	roomImage                   // a room's badge
)

// handleBadge serves GET /badge/{jid}.svg and .png (SPEC 4.1).
func (s *Server) handleBadge(w http.ResponseWriter, r *http.Request) {
	s.serveImage(w, r, badgeImage)
}

// handleIcon serves GET /icon/{jid}.svg and .png, ?size=16 to 128.
func (s *Server) handleIcon(w http.ResponseWriter, r *http.Request) {
	s.serveImage(w, r, iconImage)
}

// handleRoomBadge serves GET /room/{room}.svg and .png.
func (s *Server) handleRoomBadge(w http.ResponseWriter, r *http.Request) {
	s.serveImage(w, r, roomImage)
}

// serveImage answers an image route. Whatever goes wrong, the answer is an
// image that says so, with the status code that fits, so that an <img>
// never shows as broken: 404 for a name without .svg or .png (no such
// resource; drawn as SVG), 400 for an invalid JID or room.
func (s *Server) serveImage(w http.ResponseWriter, r *http.Request, kind imageKind) {
	publicCORS(w)
	q := query(r)
	base, f, ok := render.CutFormat(r.PathValue("file"))
	if !ok {
		o := render.ParseQuery(q, render.SVG)
		writeImage(w, r, http.StatusNotFound, s.images.Error("not found: use .svg or .png", o, render.SVG))
		return
	}
	o := defaultOptions[f]
	if q != nil {
		o = render.ParseQuery(q, f)
	}
	tk := presence.KindJID
	if kind == roomImage {
		tk = presence.KindRoom
	}
	t, err := s.names.topic(tk, base)
	if err != nil {
		msg := "invalid JID"
		if tk == presence.KindRoom {
			msg = "invalid room"
		}
		writeImage(w, r, statusOf(err), s.images.Error(msg, o, f))
		return
	}
	e := s.entry(t, q.Get("sig"))
	var img render.Image
	switch kind {
	case badgeImage:
		img = s.images.Badge(e.Presence, o, f)
	case iconImage:
		img = s.images.Icon(e.Presence.Status, o, f)
	case roomImage:
		img = s.images.Room(e.Room, o, f)
	}
	writeImage(w, r, http.StatusOK, img)
}

// writeImage answers with a rendered image under the rules of every
// presence-bearing answer (writeCached), plus the SVG lock-down.
func writeImage(w http.ResponseWriter, r *http.Request, status int, img render.Image) {
	if img.ContentType != typePNG {
		w.Header()["Content-Security-Policy"] = hdrCSPImage
	}
	writeCached(w, r, status, img.ContentType, img.ETag, img.Body)
}

// query parses the request's query once per request; nil when there is
// none, which every reader of url.Values accepts, and which spares a map
// on the common bare badge URL.
func query(r *http.Request) url.Values {
	if r.URL.RawQuery == "" {
		return nil
	}
	return r.URL.Query()
}
