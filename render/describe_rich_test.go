package render

import (
	"testing"
	"time"

	"badges/presence"
)

// message=tune shows what is playing, else the badge word; message=seen
// the time since last seen while offline, else the badge word.
func TestDescribeTuneAndSeen(t *testing.T) {
	now := cardNow
	playing := presence.Presence{JID: "a@b", Status: presence.Away,
		Details: presence.Details{Tune: &presence.Tune{Artist: "Yes", Title: "Roundabout"}}}
	offline := presence.Presence{JID: "a@b", Status: presence.Offline, LastSeen: now.Add(-3 * time.Hour)}
	never := presence.Presence{JID: "a@b", Status: presence.Offline}
	tests := []struct {
		p    presence.Presence
		mode MessageMode
		want string
	}{
		{playing, MessageTune, "Yes – Roundabout"},
		{presence.Presence{JID: "a@b", Status: presence.Away}, MessageTune, "away"},
		{offline, MessageTune, "offline"},
		{offline, MessageSeen, "last seen 3h ago"},
		{never, MessageSeen, "offline"},
		{playing, MessageSeen, "away"},
	}
	for _, tt := range tests {
		e := presence.NewPresenceEntry(tt.p)
		if got := Describe(e, Options{Message: tt.mode, Now: now}).Message; got != tt.want {
			t.Errorf("%+v, mode %d: %q, want %q", tt.p, tt.mode, got, tt.want)
		}
	}
	if got := ParseQuery(map[string][]string{"message": {"tune"}}, SVG).Message; got != MessageTune {
		t.Errorf("message=tune parsed as %d", got)
	}
}
