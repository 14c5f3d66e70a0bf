package web

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"time"

	"badges/presence"
	"badges/render"
	"badges/web/respond"
)

// shieldsBadge is shields.io's endpoint-badge schema, so that
// img.shields.io/endpoint?url=... draws a badge from our answer. Only the
// fields a query can shape are sent; shields fills in the rest.
type shieldsBadge struct {
	SchemaVersion int    `json:"schemaVersion"`
	Label         string `json:"label"`
	Message       string `json:"message"`
	Color         string `json:"color"`
	LabelColor    string `json:"labelColor,omitempty"`
	Style         string `json:"style,omitempty"`
	NamedLogo     string `json:"namedLogo,omitempty"`
}

// handleShields serves GET /shields/{jid}.json (docs/API.md#json).
func (s *Server) handleShields(w http.ResponseWriter, r *http.Request) {
	s.serveShields(w, r, presence.KindJID)
}

// handleShieldsRoom serves GET /shields/room/{room}.json.
func (s *Server) handleShieldsRoom(w http.ResponseWriter, r *http.Request) {
	s.serveShields(w, r, presence.KindRoom)
}

// serveShields answers with the endpoint badge of a JID or room. The query
// takes the badge parameters of docs/API.md#badges-and-images that shields' schema can carry:
// label, message=text, color, labelColor, per-status colours, style and
// logo=xmpp. Errors are JSON API errors: shields shows a failed fetch as
// such, whatever the body.
func (s *Server) serveShields(w http.ResponseWriter, r *http.Request, kind presence.Kind) {
	respond.PublicCORS(w)
	base, ok := strings.CutSuffix(r.PathValue("file"), ".json")
	if !ok {
		respond.Error(w, http.StatusNotFound, "not found: use .json")
		return
	}
	t, err := s.names.topic(kind, base)
	if err != nil {
		s.writeErr(w, r, err)
		return
	}
	q := r.URL.Query()
	body, err := json.Marshal(shieldsOf(s.vis.Entry(t, q.Get("sig")), q, s.now()))
	if err != nil {
		s.writeErr(w, r, err)
		return
	}
	respond.Cached(w, r, http.StatusOK, respond.TypeJSON, presence.ETag(body), body)
}

// shieldsOf builds the endpoint badge with the texts and colour that
// render.Describe gives the SVG badge of the same query at time now.
func shieldsOf(e *presence.Entry, q url.Values, now time.Time) shieldsBadge {
	o := render.ParseQuery(q, render.SVG)
	o.Now = now
	d := render.Describe(e, o)
	b := shieldsBadge{SchemaVersion: 1, Label: d.Label, Message: d.Message, Color: d.ShieldsColor(),
		LabelColor: o.LabelColor.String()}
	if q.Get("style") != "" {
		b.Style = string(o.Style)
	}
	if o.Logo {
		b.NamedLogo = "xmpp"
	}
	return b
}
