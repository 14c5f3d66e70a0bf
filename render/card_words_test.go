package render

import (
	"testing"
	"time"
)

func TestRelativeWords(t *testing.T) {
	now := cardNow
	tests := []struct {
		got, want string
	}{
		{IdleText(now.Add(-5*time.Minute), now), "idle for 5 minutes"},
		{IdleText(now.Add(-61*time.Minute), now), "idle for 1 hour"},
		{IdleText(now.Add(-20*time.Second), now), "idle for less than a minute"},
		{IdleText(time.Time{}, now), ""},
		{IdleText(now.Add(time.Minute), now), ""},
		{SeenText(now.Add(-3*time.Hour-59*time.Minute), now), "last seen 3 hours ago"},
		{SeenText(now.Add(-10*time.Second), now), "last seen just now"},
		{SeenText(now.Add(-49*time.Hour), now), "last seen 2 days ago"},
		{SeenText(now.Add(-24*time.Hour), now), "last seen 1 day ago"},
		{SeenText(now.Add(-65*24*time.Hour), now), "last seen 2 months ago"},
		{SeenText(now.Add(-800*24*time.Hour), now), "last seen 2 years ago"},
		{SeenText(time.Time{}, now), ""},
		{SeenShort(now.Add(-3*time.Hour), now), "last seen 3h ago"},
		{SeenShort(now.Add(-7*time.Minute), now), "last seen 7m ago"},
		{SeenShort(now.Add(-40*24*time.Hour), now), "last seen 1mo ago"},
		{SeenShort(now, now), "last seen just now"},
	}
	for _, tt := range tests {
		if tt.got != tt.want {
			t.Errorf("got %q, want %q", tt.got, tt.want)
		}
	}
}

func TestRichWords(t *testing.T) {
	tests := []struct {
		got, want string
	}{
		{TuneText(Tune{Artist: "Yes", Title: "Roundabout"}), "Yes – Roundabout"},
		{TuneText(Tune{Title: "Roundabout"}), "Roundabout"},
		{TuneText(Tune{Artist: "Yes"}), "Yes"},
		{TuneText(Tune{}), ""},
		{MoodText(Mood{Value: "in_love"}, Activity{General: "working"}), "in love"},
		{MoodText(Mood{Value: "happy", Text: " sunny "}, Activity{}), "happy: sunny"},
		{MoodText(Mood{}, Activity{General: "working", Specific: "coding", Text: "Go"}), "working, coding: Go"},
		{MoodText(Mood{}, Activity{General: "relaxing", Specific: "other"}), "relaxing"},
		{MoodText(Mood{}, Activity{}), ""},
		{DevicesText([]string{"pc", "phone"}), "on pc, phone"},
		{DevicesText(nil), ""},
	}
	for _, tt := range tests {
		if tt.got != tt.want {
			t.Errorf("got %q, want %q", tt.got, tt.want)
		}
	}
}
