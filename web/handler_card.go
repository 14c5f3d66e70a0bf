package web

import (
	"net/http"
	"strconv"

	"badges/presence"
	"badges/render"
	"badges/web/respond"
)

// handleCard serves GET /card/{jid}.svg and .png, ?theme=light|dark|auto
// and, for PNG, ?scale=1..3 (docs/API.md#rich-presence). The card words
// relative times at answer time, so it is drawn from the render cache by
// its words and never from the answer cache by entry: its bytes, and its
// ETag, change when the words do. A JID the reader may not see gets the
// card of a JID that does not exist, byte for byte.
func (s *Server) handleCard(w http.ResponseWriter, r *http.Request) {
	respond.PublicCORS(w)
	base, f, ok := s.imageFile(w, r, r.PathValue("file"))
	if !ok {
		return
	}
	t, err := s.names.topic(presence.KindJID, base)
	if err != nil {
		respond.Image(w, r, respond.StatusOf(err), s.images.error("invalid JID", r.URL.RawQuery, f))
		return
	}
	sig := ""
	if s.vis.Signed() {
		sig = sigOf(r)
	}
	e := s.vis.Entry(t, sig)
	q := r.URL.Query()
	o := options(r.URL.RawQuery, f)
	img := s.images.render.Card(s.profileOf(e.Presence), s.now(), render.ParseTheme(q.Get("theme")), o.Scale, f)
	respond.Image(w, r, http.StatusOK, img)
}

// profileOf is what a card shows of p: p is already what the reader may
// see (the visibility path has cleared what the user hides), and the
// picture is the store's, offered at the largest size that fits the card.
func (s *Server) profileOf(p presence.Presence) render.Profile {
	d := p.Details
	pr := render.ProfileOf(p)
	if d.AvatarID != "" {
		for _, size := range render.CardAvatarSizes {
			body, ok := s.avatars.Image(d.AvatarID, size)
			if !ok {
				break
			}
			if len(body) <= render.MaxCardAvatar {
				pr.Avatar = render.Avatar{ID: d.AvatarID + "-" + strconv.Itoa(size), PNG: body}
				break
			}
		}
	}
	return pr
}
