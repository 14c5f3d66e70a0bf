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
// (docs/API.md#rich-presence), from p as the reader may see it; the page's
// script keeps it live and words its relative time again as the clock
// moves. base is the server's base path, under which /avatar is served.
func richCard(c *templates.Card, p presence.Presence, base string, now time.Time) {
	d := p.Details
	c.Placeholder = "data:image/png;base64," +
		base64.StdEncoding.EncodeToString(avatar.Placeholder(p.JID, placeholderSize))
	c.Avatar = c.Placeholder
	if d.AvatarID != "" {
		c.Avatar = base + presence.AvatarURL(p.JID, d.AvatarID)
	}
	c.Person = d.Name
	if t := d.Tune; t != nil {
		c.Tune = render.TuneText(render.Tune{Artist: t.Artist, Title: t.Title, Source: t.Source})
	}
	var mood render.Mood
	var activity render.Activity
	if m := d.Mood; m != nil {
		mood = render.Mood{Value: m.Value, Text: m.Text}
	}
	if a := d.Activity; a != nil {
		activity = render.Activity{General: a.General, Specific: a.Specific, Text: a.Text}
	}
	c.Mood = render.MoodText(mood, activity)
	c.Devices = render.DevicesText(d.Devices)
	if !d.IdleSince.IsZero() {
		c.IdleSince = d.IdleSince.UTC().Format(time.RFC3339)
	}
	if !p.LastSeen.IsZero() {
		c.LastSeen = p.LastSeen.UTC().Format(time.RFC3339)
	}
	switch {
	case p.Status.Online():
		c.When = render.IdleText(d.IdleSince, now)
	case p.Status == presence.Offline:
		c.When = render.SeenText(p.LastSeen, now)
	}
}
