package web

import (
	"encoding/base64"
	"time"

	"badges/presence"
	"badges/render"
	"badges/templates"
)

// placeholderSize is the edge of the avatar placeholder a page embeds: twice
// the 48 CSS pixels it is shown at, for dense screens.
const placeholderSize = 96

// richCard adds to c what a page first shows of a JID's rich presence
// (docs/API.md#rich-presence), from p as the reader may see it; the page's
// script keeps it live and words its relative time again as the clock
// moves.
func (s *Server) richCard(c *templates.Card, p presence.Presence, now time.Time) {
	d := p.Details
	pr := render.ProfileOf(p)
	c.Placeholder = "data:image/png;base64," +
		base64.StdEncoding.EncodeToString(s.avatars.Placeholder(p.JID, placeholderSize))
	c.Avatar = c.Placeholder
	if d.AvatarID != "" {
		c.Avatar = s.base + presence.AvatarURL(p.JID, d.AvatarID) // /avatar is under the base path
	}
	c.Person = pr.Name
	c.Tune = render.TuneText(pr.Tune)
	c.Mood = render.MoodText(pr.Mood, pr.Activity)
	c.Devices = render.DevicesText(pr.Devices)
	if !d.IdleSince.IsZero() {
		c.IdleSince = d.IdleSince.UTC().Format(time.RFC3339)
	}
	if !p.LastSeen.IsZero() {
		c.LastSeen = p.LastSeen.UTC().Format(time.RFC3339)
	}
	c.When = pr.WhenText(now)
}
