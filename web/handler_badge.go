package web

import (
	"net/http"

	"badges/presence"
	"badges/render"
	"badges/web/respond"
)

// handleBadge serves GET /badge/{jid}.svg and .png (docs/API.md#badges-and-images).
func (s *Server) handleBadge(w http.ResponseWriter, r *http.Request) {
	s.serveImage(w, r, r.PathValue("file"), badgeImage)
}

// handleIcon serves GET /icon/{jid}.svg and .png, ?size=16 to 128.
func (s *Server) handleIcon(w http.ResponseWriter, r *http.Request) {
	s.serveImage(w, r, r.PathValue("file"), iconImage)
}

// handleRoomBadge serves GET /room/{room}.svg and .png.
func (s *Server) handleRoomBadge(w http.ResponseWriter, r *http.Request) {
	s.serveImage(w, r, r.PathValue("file"), roomImage)
}

// imageFile cuts the file name of an image route into its base and
// format. A name without .svg or .png names no resource: imageFile answers
// the 404 itself, drawn as SVG so that an <img> never shows as broken.
func (s *Server) imageFile(w http.ResponseWriter, r *http.Request, file string) (string, render.Format, bool) {
	base, f, ok := render.CutFormat(file)
	if !ok {
		respond.Image(w, r, http.StatusNotFound, s.images.error("not found: use .svg or .png", r.URL.RawQuery, render.SVG))
	}
	return base, f, ok
}

// serveImage answers an image route for file, the name after the route's
// prefix. Whatever goes wrong, the answer is an
// image that says so, with the status code that fits, so that an <img>
// never shows as broken: 404 for a name without .svg or .png (no such
// resource; drawn as SVG), 400 for an invalid JID or room.
func (s *Server) serveImage(w http.ResponseWriter, r *http.Request, file string, kind imageKind) {
	respond.PublicCORS(w)
	base, f, ok := s.imageFile(w, r, file)
	if !ok {
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
		respond.Image(w, r, respond.StatusOf(err), s.images.error(msg, r.URL.RawQuery, f))
		return
	}
	// Under public visibility no sig matters: the query stays unparsed.
	sig := ""
	if s.vis.Signed() {
		sig = sigOf(r)
	}
	respond.Image(w, r, http.StatusOK, s.images.image(s.vis.Entry(t, sig), kind, f, r.URL.RawQuery))
}
