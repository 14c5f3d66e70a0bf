package web

import (
	"bytes"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/a-h/templ"

	"badges/idn"
	"badges/presence"
	"badges/render"
	"badges/templates"
	"badges/web/respond"
)

// Content-Security-Policy of the pages: scripts and styles only from our
// own static files (no inline code at all), the live socket and JSON API
// only to ourselves, no plugins, no base or form tricks.
const cspPages = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
	"connect-src 'self'; base-uri 'none'; form-action 'self'"

// Who may frame a page: embeds are made for any site's iframe; the builder
// and dashboards only for ourselves, which rules out clickjacking them.
const (
	frameAnyone = "; frame-ancestors *"
	frameSelf   = "; frame-ancestors 'self'"
)

// badgeStyles are the styles of docs/API.md#badges-and-images, first the default.
var badgeStyles = []string{"flat", "flat-square", "plastic", "for-the-badge", "social"}

// builderExample is the JID the builder previews before anything is typed.
const builderExample = "alice@example.com"

// builderColors are the colour names the builder suggests: shields'.
var builderColors = []string{"brightgreen", "green", "yellowgreen", "yellow", "orange", "red", "blue",
	"lightgrey", "grey", "success", "important", "critical", "informational", "inactive"}

// handleBuilder serves GET /: the badge builder.
func (s *Server) handleBuilder(w http.ResponseWriter, r *http.Request) {
	v := templates.BuilderView{
		Page: templates.Page{Title: "XMPP presence badges", Assets: s.assets, Theme: theme(r),
			Description: "Make badges, profile cards and embeds that show XMPP presence live."},
		Base:    s.baseURL(r),
		Target:  r.URL.Query().Get("jid"),
		Example: builderExample,
		Styles:  badgeStyles,
		Colors:  builderColors,
	}
	s.writePage(w, r, templates.Builder(v), frameSelf)
}

// handleEmbedJID serves GET /embed/{jid}.
func (s *Server) handleEmbedJID(w http.ResponseWriter, r *http.Request) {
	s.embed(w, r, presence.KindJID, r.PathValue("jid"))
}

// handleEmbedRoom serves GET /embed/room/{room}.
func (s *Server) handleEmbedRoom(w http.ResponseWriter, r *http.Request) {
	s.embed(w, r, presence.KindRoom, r.PathValue("room"))
}

func (s *Server) embed(w http.ResponseWriter, r *http.Request, kind presence.Kind, raw string) {
	c, err := s.card(kind, raw, sigOf(r))
	if err != nil {
		s.writeErr(w, r, err)
		return
	}
	v := templates.EmbedView{Page: templates.Page{Title: c.Display, Assets: s.assets, Theme: theme(r),
		Description: "Live XMPP presence of " + c.Display + "."}, Card: c}
	s.writePage(w, r, templates.Embed(v), frameAnyone)
}

// handleDashboard serves GET /dashboard?jid=A&jid=B (and room=R); under
// signed visibility the i-th sig vouches for the i-th jid, then the rooms.
func (s *Server) handleDashboard(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	jids, rooms, sigs := q["jid"], q["room"], q["sig"]
	if n := len(jids) + len(rooms); n == 0 || n > maxBatch {
		s.writeErr(w, r, fmt.Errorf("%w: between 1 and %d jid or room parameters", respond.ErrBadRequest, maxBatch))
		return
	}
	sigAt := func(i int) string {
		if i < len(sigs) {
			return sigs[i]
		}
		return ""
	}
	cards := make([]templates.Card, 0, len(jids)+len(rooms))
	for i, raw := range slices.Concat(jids, rooms) {
		kind := presence.KindJID
		if i >= len(jids) {
			kind = presence.KindRoom
		}
		c, err := s.card(kind, raw, sigAt(i))
		if err != nil {
			s.writeErr(w, r, err)
			return
		}
		cards = append(cards, c)
	}
	s.dashboard(w, r, "Presence", cards, false)
}

// handleDashboardGroup serves GET /dashboard/{group}: the visible members
// of one of the watcher's roster groups. A group that does not exist looks
// like one whose members all hide. Under signed visibility there is no
// group dashboard, since its list of members would itself leak.
func (s *Server) handleDashboardGroup(w http.ResponseWriter, r *http.Request) {
	if s.vis.Signed() {
		respond.Error(w, http.StatusNotFound, "not found")
		return
	}
	group := r.PathValue("group")
	var cards []templates.Card
	for _, jid := range s.dir.Group(group) {
		e := s.vis.Entry(presence.JIDTopic(jid), "")
		// A visible JID always has at least one source; an invisible one is
		// shown nowhere, not even as unknown.
		if len(e.Presence.Sources) == 0 {
			continue
		}
		cards = append(cards, s.cardOf(e, s.now()))
	}
	s.dashboard(w, r, group, cards, true)
}

func (s *Server) dashboard(w http.ResponseWriter, r *http.Request, heading string, cards []templates.Card, group bool) {
	v := templates.DashboardView{
		Page: templates.Page{Title: heading + " · presence", Assets: s.assets, Theme: theme(r),
			Description: "Live XMPP presence of " + heading + "."},
		Heading: heading,
		Cards:   cards,
		Group:   group,
	}
	s.writePage(w, r, templates.Dashboard(v), frameSelf)
}

// card parses a JID or room and shows what the reader may see of it.
func (s *Server) card(kind presence.Kind, raw, sig string) (templates.Card, error) {
	parse := presence.ParseJID
	if kind == presence.KindRoom {
		parse = presence.ParseRoom
	}
	name, err := parse(raw)
	if err != nil {
		return templates.Card{}, err
	}
	c := s.cardOf(s.vis.Entry(presence.Topic{Kind: kind, Name: name}, sig), s.now())
	c.Sig = sig
	return c, nil
}

// cardOf is the card of a JID or room: its status and words as
// render.Describe gives them to a badge with default options, and a JID's
// rich presence (richCard).
func (s *Server) cardOf(e *presence.Entry, now time.Time) templates.Card {
	d := render.Describe(e, render.Options{})
	c := templates.Card{Kind: "jid", Name: e.Topic.Name, Display: idn.JID(e.Topic.Name), Status: string(d.Status), Word: d.Message}
	if e.Topic.Kind == presence.KindRoom {
		c.Kind = "room"
	} else {
		c.Message = e.Presence.Message
		s.richCard(&c, e.Presence, now)
	}
	return c
}

// writePage renders a page with the page headers. Pages carry presence, so
// they are revalidated like every presence-bearing response.
func (s *Server) writePage(w http.ResponseWriter, r *http.Request, page templ.Component, frame string) {
	var body bytes.Buffer
	if err := page.Render(r.Context(), &body); err != nil {
		s.writeErr(w, r, fmt.Errorf("web: render %s: %w", r.URL.Path, err))
		return
	}
	h := w.Header()
	h.Set("Content-Security-Policy", cspPages+frame)
	h.Set("Referrer-Policy", "same-origin")
	respond.Cached(w, r, http.StatusOK, respond.TypeHTML, presence.ETag(body.Bytes()), body.Bytes())
}

// theme reads ?theme=light|dark|auto; anything else is auto.
func theme(r *http.Request) string {
	switch t := r.URL.Query().Get("theme"); t {
	case "light", "dark":
		return t
	}
	return "auto"
}

// baseURL is where generated snippets point: Options.PublicURL as given,
// else the request's scheme and host, as trusted proxies reported them
// (fromProxies), under the base path.
func (s *Server) baseURL(r *http.Request) string {
	if s.public != nil {
		return strings.TrimSuffix(s.public.String(), "/")
	}
	return requestScheme(r) + "://" + r.Host + s.base
}
