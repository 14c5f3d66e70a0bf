package web

import (
	"bytes"
	"fmt"
	"net/http"

	"badges/presence"
	"badges/web/respond"
)

// maxBatch bounds GET /api/v1/presence?jid=...
const maxBatch = 100

// handlePresence serves GET /api/v1/presence/{jid} (docs/API.md#json).
func (s *Server) handlePresence(w http.ResponseWriter, r *http.Request) {
	respond.PublicCORS(w)
	jid, err := s.names.jid(r.PathValue("jid"))
	if err != nil {
		s.writeErr(w, r, err)
		return
	}
	e := s.vis.Entry(presence.JIDTopic(jid), sigOf(r))
	respond.Cached(w, r, http.StatusOK, respond.TypeJSON, e.ETag, e.JSON)
}

// handlePresenceBatch serves GET /api/v1/presence?jid=A&jid=B. Under signed
// visibility the i-th sig vouches for the i-th jid.
func (s *Server) handlePresenceBatch(w http.ResponseWriter, r *http.Request) {
	respond.PublicCORS(w)
	q := r.URL.Query()
	raw, sigs := q["jid"], q["sig"]
	switch {
	case len(raw) == 0:
		s.writeErr(w, r, fmt.Errorf("%w: at least one jid parameter is required", respond.ErrBadRequest))
		return
	case len(raw) > maxBatch:
		s.writeErr(w, r, fmt.Errorf("%w: at most %d jid parameters", respond.ErrBadRequest, maxBatch))
		return
	}
	var body bytes.Buffer
	body.WriteString(`{"presence":[`)
	for i, v := range raw {
		jid, err := s.names.jid(v)
		if err != nil {
			s.writeErr(w, r, err)
			return
		}
		sig := ""
		if i < len(sigs) {
			sig = sigs[i]
		}
		if i > 0 {
			body.WriteByte(',')
		}
		body.Write(s.vis.Entry(presence.JIDTopic(jid), sig).JSON)
	}
	body.WriteString(`]}`)
	respond.Cached(w, r, http.StatusOK, respond.TypeJSON, presence.ETag(body.Bytes()), body.Bytes())
}

// handleRoom serves GET /api/v1/rooms/{room}.
func (s *Server) handleRoom(w http.ResponseWriter, r *http.Request) {
	respond.PublicCORS(w)
	room, err := presence.ParseRoom(r.PathValue("room"))
	if err != nil {
		s.writeErr(w, r, err)
		return
	}
	e := s.vis.Entry(presence.RoomTopic(room), sigOf(r))
	respond.Cached(w, r, http.StatusOK, respond.TypeJSON, e.ETag, e.JSON)
}
