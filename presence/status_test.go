package presence

import (
	"errors"
	"testing"
)

// TestStatusTable pins SPEC section 2: each status's kopano state, badge word
// and shields colour.
func TestStatusTable(t *testing.T) {
	tests := []struct {
		status Status
		state  State
		word   string
		color  string
		online bool
	}{
		{Available, StateAvailable, "online", "brightgreen", true},
		{Chat, StateAvailable, "free to chat", "brightgreen", true},
		{Away, StateAway, "away", "yellow", true},
		{XA, StateAway, "extended away", "orange", true},
		{DND, StateBusy, "do not disturb", "red", true},
		{Offline, StateUnavailable, "offline", "lightgrey", false},
		{Unknown, StateUnavailable, "unknown", "lightgrey", false},
		{"", StateUnavailable, "unknown", "lightgrey", false},
	}
	for _, tt := range tests {
		if got := tt.status.State(); got != tt.state {
			t.Errorf("%q.State() = %q, want %q", tt.status, got, tt.state)
		}
		if got := tt.status.Word(); got != tt.word {
			t.Errorf("%q.Word() = %q, want %q", tt.status, got, tt.word)
		}
		if got := tt.status.Color(); got != tt.color {
			t.Errorf("%q.Color() = %q, want %q", tt.status, got, tt.color)
		}
		if got := tt.status.Online(); got != tt.online {
			t.Errorf("%q.Online() = %v, want %v", tt.status, got, tt.online)
		}
	}
	if len(Statuses) != 7 {
		t.Errorf("Statuses has %d entries, want the 7 of SPEC section 2", len(Statuses))
	}
}

func TestParseStatus(t *testing.T) {
	for _, s := range Statuses {
		got, err := ParseStatus(string(s))
		if err != nil || got != s {
			t.Errorf("ParseStatus(%q) = %q, %v; want %q, nil", s, got, err, s)
		}
	}
	// Names are exact: no case folding, no trimming, no kopano states.
	for _, bad := range []string{"", "Available", "AWAY", " away", "online", "busy", "invisible", "unavailable"} {
		if got, err := ParseStatus(bad); !errors.Is(err, ErrBadStatus) || got != "" {
			t.Errorf("ParseStatus(%q) = %q, %v; want ErrBadStatus", bad, got, err)
		}
	}
}

func TestParseState(t *testing.T) {
	tests := []struct {
		in   string
		want Status
	}{
		{"available", Available},
		{"busy", DND},
		{"away", Away},
		{"unavailable", Offline},
	}
	for _, tt := range tests {
		got, err := ParseState(tt.in)
		if err != nil || got != tt.want {
			t.Errorf("ParseState(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
		}
		// A state read back from its status must be the state itself.
		if st := got.State(); string(st) != tt.in {
			t.Errorf("ParseState(%q).State() = %q", tt.in, st)
		}
	}
	for _, bad := range []string{"", "dnd", "offline", "Busy", "chat"} {
		if got, err := ParseState(bad); !errors.Is(err, ErrBadStatus) || got != "" {
			t.Errorf("ParseState(%q) = %q, %v; want ErrBadStatus", bad, got, err)
		}
	}
}
