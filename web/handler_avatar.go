package web

import (
	"net/http"
	"strconv"
	"strings"

	"badges/avatar"
	"badges/presence"
	"badges/render"
	"badges/web/respond"
)

// Avatars is what the avatar route needs of the picture store.
type Avatars interface {
	// Image returns picture id at size pixels; false if it is not held.
	Image(id string, size int) ([]byte, bool)
	// Placeholder returns the picture of a JID without one.
	Placeholder(jid string, size int) []byte
}

var _ Avatars = (*avatar.Store)(nil)

// handleAvatar serves GET /avatar/{jid}.png?size=16..512
// (docs/API.md#rich-presence): the user's picture re-encoded, or the
// placeholder, which depends on the JID alone, for a JID without a picture,
// one that hides it and one nobody may see, exactly as for one that does
// not exist. Errors are pictures too, so that an <img> never breaks.
func (s *Server) handleAvatar(w http.ResponseWriter, r *http.Request) {
	respond.PublicCORS(w)
	base, ok := strings.CutSuffix(r.PathValue("file"), ".png")
	if !ok {
		respond.Image(w, r, http.StatusNotFound, s.images.error("not found: use .png", r.URL.RawQuery, render.PNG))
		return
	}
	t, err := s.names.topic(presence.KindJID, base)
	if err != nil {
		respond.Image(w, r, respond.StatusOf(err), s.images.error("invalid JID", r.URL.RawQuery, render.PNG))
		return
	}
	size := avatar.DefaultSize
	if v := r.URL.Query().Get("size"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < avatar.MinSize || n > avatar.MaxSize {
			respond.Image(w, r, http.StatusBadRequest, s.images.error("size: 16 to 512", r.URL.RawQuery, render.PNG))
			return
		}
		size = n
	}
	sig := ""
	if s.vis.Signed() {
		sig = sigOf(r)
	}
	if id := s.vis.Entry(t, sig).Presence.Details.AvatarID; id != "" {
		if body, ok := s.avatars.Image(id, size); ok {
			respond.Cached(w, r, http.StatusOK, respond.TypePNG, `"a`+strconv.Itoa(size)+"-"+id+`"`, body)
			return
		}
	}
	body := s.avatars.Placeholder(t.Name, size)
	respond.Cached(w, r, http.StatusOK, respond.TypePNG, presence.ETag(body), body)
}
