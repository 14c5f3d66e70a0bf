package presence

import (
	"errors"
	"testing"
)

// TestStatusTable pins each status's kopano state
// (docs/API.md#presence-model); render/describe_test.go pins its words and
// colours.
func TestStatusTable(t *testing.T) {
	tests := []struct {
		status Status
		state  State
		online bool
	}{
		{Available, StateAvailable, true},
		{Chat, StateAvailable, true},
		{Away, StateAway, true},
		{XA, StateAway, true},
		{DND, StateBusy, true},
		{Offline, StateUnavailable, false},
		{Unknown, StateUnavailable, false},
		{"", StateUnavailable, false},
	}
	for _, tt := range tests {
		if got := tt.status.State(); got != tt.state {
			t.Errorf("%q.State() = %q, want %q", tt.status, got, tt.state)
		}
		if got := tt.status.Online(); got != tt.online {
			t.Errorf("%q.Online() = %v, want %v", tt.status, got, tt.online)
		}
	}
	if len(Statuses) != 7 {
		t.Errorf("Statuses has %d entries, want the 7 of docs/API.md#presence-model", len(Statuses))
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
