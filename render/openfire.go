package render

import (
	"sync"

	"badges/presence"
)

// OpenfireNames are the images of Openfire's presence plugin, in its order.
var OpenfireNames = []string{"available", "chat", "away", "xa", "dnd", "offline", "forbidden"}

// OpenfireName maps a status to the name of its Openfire image. Unknown
// maps to forbidden: an invisible JID is unknown, and a visible JID whose
// status is unknown must not look any different (docs/API.md#presence-model).
func OpenfireName(s presence.Status) string {
	switch s {
	case presence.Available, presence.Chat, presence.Away, presence.XA, presence.DND, presence.Offline:
		return string(s)
	}
	return "forbidden"
}

// OpenfireImage returns the 16 px PNG named name (one of OpenfireNames),
// drawn in this package's own style; ok is false for any other name.
func OpenfireImage(name string) (img Image, ok bool) {
	img, ok = openfireImages()[name]
	return img, ok
}

// openfireImages draws the set once, on first use.
var openfireImages = sync.OnceValue(func() map[string]Image {
	m := make(map[string]Image, len(OpenfireNames))
	for _, name := range OpenfireNames {
		ic := iconSpec{color: mustColor("lightgrey"), mark: markStrike, word: "forbidden", size: MinIconSize}
		if s, err := presence.ParseStatus(name); err == nil {
			ic = iconSpecFor(s, Options{})
		}
		m[name] = ic.draw(PNG)
	}
	return m
})

// OpenfireText is the plugin's text answer: the status text, else
// Openfire's word for the status; "Forbidden" for what it cannot report
// (unknown, which is also what every hidden JID shows). It is a badge
// message as Describe makes it, in Openfire's words.
func OpenfireText(p presence.Presence) string {
	if OpenfireName(p.Status) == "forbidden" {
		return "Forbidden"
	}
	return describePresence(p, Options{Message: MessageText}, openfireWord).Message
}

// openfireWord is Openfire's word for a status it can report.
func openfireWord(s presence.Status) string {
	switch s {
	case presence.Available:
		return "Available"
	case presence.Chat:
		return "Free to chat"
	case presence.Away:
		return "Away"
	case presence.XA:
		return "Extended away"
	case presence.DND:
		return "Do not disturb"
	}
	return "Unavailable"
}
