package web

import (
	"encoding/base64"
	"time"

	"badges/avatar"
	"badges/presence"
	"badges/render"
	"badges/templates"
)

// placeholderSize is the edge of the avatar placeholder a page embeds: twice
// the 48 CSS pixels it is shown at, for dense screens.
const placeholderSize = 96

// richCard adds to c what a page first shows of a JID's rich presence
// (docs/API.md#rich-presence); the page's script keeps it live and words
// its relative time again as the clock moves.
func richCard(c *templates.Card, p presence.Presence, now time.Time) {
	c.Placeholder = "data:image/png;base64," +
		base64.StdEncoding.EncodeToString(avatar.Placeholder(p.JID, placeholderSize))
	c.Avatar = c.Placeholder
	if !p.LastSeen.IsZero() {
		c.LastSeen = p.LastSeen.UTC().Format(time.RFC3339)
	}
	if p.Status == presence.Offline {
		c.When = render.SeenText(p.LastSeen, now)
	}
}
