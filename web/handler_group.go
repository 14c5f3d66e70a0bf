package web

import (
	"encoding/json"
	"fmt"
	"net/http"
	"unicode"
	"unicode/utf8"

	"badges/presence"
	"badges/render"
	"badges/web/respond"
)

// maxGroupName bounds a roster group's name in a URL.
const maxGroupName = 256

// parseGroup checks a roster group's name from a URL: 1 to maxGroupName
// bytes of UTF-8 without control characters.
func parseGroup(raw string) (string, error) {
	if raw == "" || len(raw) > maxGroupName || !utf8.ValidString(raw) {
		return "", fmt.Errorf("%w: invalid group name (1 to %d bytes of UTF-8)", respond.ErrBadRequest, maxGroupName)
	}
	for _, r := range raw {
		if unicode.IsControl(r) {
			return "", fmt.Errorf("%w: invalid group name (control character)", respond.ErrBadRequest)
		}
	}
	return raw, nil
}

// groupCount counts the visible members of a roster group of the watcher
// and those of them online (docs/API.md#rich-presence). Every member is
// read through the visibility rule; a group that does not exist counts
// 0/0, like one whose members all hide.
func (s *Server) groupCount(group string) render.GroupCount {
	g := render.GroupCount{Group: group}
	for _, jid := range s.dir.Group(group) {
		e := s.vis.Entry(presence.JIDTopic(jid), "")
		// A visible JID always has a source; one without is shown nowhere.
		if len(e.Presence.Sources) == 0 {
			continue
		}
		g.Total++
		if e.Presence.Status.Online() {
			g.Online++
		}
	}
	return g
}

// handleGroupBadge serves GET /group/{group}.svg and .png: "team | 3/12
// online". Under signed visibility there are no group answers, since the
// count of a group would tell about members nobody vouched for: a 404,
// drawn as an image so that an <img> never breaks
// (docs/API.md#errors-and-limits).
func (s *Server) handleGroupBadge(w http.ResponseWriter, r *http.Request) {
	respond.PublicCORS(w)
	base, f, ok := s.imageFile(w, r, r.PathValue("file"))
	if !ok {
		return
	}
	if s.vis.Signed() {
		respond.Image(w, r, http.StatusNotFound, s.images.error("not found", r.URL.RawQuery, f))
		return
	}
	group, err := parseGroup(base)
	if err != nil {
		respond.Image(w, r, respond.StatusOf(err), s.images.error("invalid group", r.URL.RawQuery, f))
		return
	}
	img := s.images.render.Group(s.groupCount(group), options(r.URL.RawQuery, f), f)
	respond.Image(w, r, http.StatusOK, img)
}

// handleGroup serves GET /api/v1/groups/{group}:
// {"group":"team","online":3,"total":12}.
func (s *Server) handleGroup(w http.ResponseWriter, r *http.Request) {
	respond.PublicCORS(w)
	if s.vis.Signed() {
		respond.Error(w, http.StatusNotFound, "not found")
		return
	}
	group, err := parseGroup(r.PathValue("group"))
	if err != nil {
		s.writeErr(w, r, err)
		return
	}
	g := s.groupCount(group)
	body, err := json.Marshal(groupJSON{Group: g.Group, Online: g.Online, Total: g.Total})
	if err != nil {
		s.writeErr(w, r, fmt.Errorf("web: encode group %q: %w", group, err))
		return
	}
	respond.Cached(w, r, http.StatusOK, respond.TypeJSON, presence.ETag(body), body)
}

// groupJSON is the body of GET /api/v1/groups/{group}.
type groupJSON struct {
	Group  string `json:"group"`
	Online int    `json:"online"`
	Total  int    `json:"total"`
}
