package web

import (
	"net/http"

	"badges/presence"
	"badges/render"
)

// cspImage locks an SVG opened on its own (not through <img>, where no
// script runs anyway) down to its inline presentation: no script, no
// fetch, no frame. Badges carry no style sheets or images, but a
// presentation style attribute must not be what breaks one.
const cspImage = "default-src 'none'; style-src 'unsafe-inline'"

// hdrCSPImage is cspImage as a shared header value (see hdrNoCache).
var hdrCSPImage = []string{cspImage}

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
	base, f, ok := render.CutFormat(r.PathValue("file"))
	if !ok {
		writeImage(w, r, http.StatusNotFound, s.images.error("not found: use .svg or .png", r.URL.RawQuery, render.SVG))
		return
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
		writeImage(w, r, statusOf(err), s.images.error(msg, r.URL.RawQuery, f))
		return
	}
	// Under public visibility no sig matters: the query stays unparsed.
	sig := ""
	if s.vis.Signed() {
		sig = sigOf(r)
	}
	writeImage(w, r, http.StatusOK, s.images.image(s.vis.Entry(t, sig), kind, f, r.URL.RawQuery))
}

// writeImage answers with a rendered image under the rules of every
// presence-bearing answer (writeCached), plus the SVG lock-down.
func writeImage(w http.ResponseWriter, r *http.Request, status int, img render.Image) {
	if img.ContentType != typePNG {
		w.Header()["Content-Security-Policy"] = hdrCSPImage
	}
	writeCached(w, r, status, img.ContentType, img.ETag, img.Body)
}
