package render

import (
	"testing"

	"badges/presence"
)

// TestStatusWordsAndColours pins each status's badge word and shields
// colour (docs/API.md#badges-and-images).
func TestStatusWordsAndColours(t *testing.T) {
	tests := []struct {
		status      presence.Status
		word, color string
	}{
		{presence.Available, "online", "brightgreen"},
		{presence.Chat, "free to chat", "brightgreen"},
		{presence.Away, "away", "yellow"},
		{presence.XA, "extended away", "orange"},
		{presence.DND, "do not disturb", "red"},
		{presence.Offline, "offline", "lightgrey"},
		{presence.Unknown, "unknown", "lightgrey"},
		{"", "unknown", "lightgrey"},
	}
	for _, tt := range tests {
		if got := StatusWord(tt.status); got != tt.word {
			t.Errorf("StatusWord(%q) = %q, want %q", tt.status, got, tt.word)
		}
		if got := StatusColorName(tt.status); got != tt.color {
			t.Errorf("StatusColorName(%q) = %q, want %q", tt.status, got, tt.color)
		}
	}
}

func TestDescribe(t *testing.T) {
	dnd := presence.NewPresenceEntry(presence.Presence{JID: "alice@example.com", Status: presence.DND, Message: "call"})
	room := presence.NewRoomEntry(presence.Room{Room: "chat@rooms.example.com", Occupants: 3})
	empty := presence.NewRoomEntry(presence.Room{Room: "chat@rooms.example.com"})
	purple, blue := mustColor("purple"), mustColor("blue")
	tests := []struct {
		name string
		e    *presence.Entry
		o    Options
		want Description
	}{
		{"status", dnd, Options{}, Description{"alice@example.com", "do not disturb", mustColor("red"), "red", presence.DND}},
		{"text", dnd, Options{Message: MessageText, Label: "Me", HasLabel: true},
			Description{"Me", "call", mustColor("red"), "red", presence.DND}},
		{"per-status wins", dnd, Options{Color: blue, StatusColors: map[presence.Status]Color{presence.DND: purple}},
			Description{"alice@example.com", "do not disturb", purple, "", presence.DND}},
		{"room", room, Options{StatusColors: map[presence.Status]Color{presence.Available: purple}},
			Description{"chat", "3 online", mustColor("brightgreen"), "brightgreen", presence.Available}},
		{"empty room", empty, Options{}, Description{"chat", "0 online", mustColor("lightgrey"), "lightgrey", presence.Offline}},
		{"room color", empty, Options{Color: blue}, Description{"chat", "0 online", blue, "", presence.Offline}},
	}
	for _, tt := range tests {
		if got := Describe(tt.e, tt.o); got != tt.want {
			t.Errorf("%s: %+v, want %+v", tt.name, got, tt.want)
		}
		if got := Describe(tt.e, tt.o).ShieldsColor(); tt.want.ColorName == "" && got != tt.want.Color.String() {
			t.Errorf("%s: shields colour %q, want the hex form", tt.name, got)
		}
	}
}

func TestOpenfireText(t *testing.T) {
	for _, tt := range []struct {
		p    presence.Presence
		want string
	}{
		{presence.Presence{Status: presence.Available}, "Available"},
		{presence.Presence{Status: presence.XA}, "Extended away"},
		{presence.Presence{Status: presence.DND, Message: "call"}, "call"},
		{presence.Presence{Status: presence.Offline}, "Unavailable"},
		{presence.Presence{Status: presence.Unknown, Message: "x"}, "Forbidden"},
	} {
		if got := OpenfireText(tt.p); got != tt.want {
			t.Errorf("OpenfireText(%+v) = %q, want %q", tt.p, got, tt.want)
		}
	}
}
