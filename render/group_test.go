package render

import "testing"

func TestGroupBadge(t *testing.T) {
	tests := []struct {
		g     GroupCount
		aria  string
		color string
	}{
		{GroupCount{"team", 3, 12}, "team: 3/12 online", "#4c1"},
		{GroupCount{"team", 0, 12}, "team: 0/12 online", "#9f9f9f"},
		{GroupCount{"empty", 0, 0}, "empty: 0/0 online", "#9f9f9f"},
	}
	for _, tt := range tests {
		img := GroupBadge(tt.g, Options{}, SVG)
		root := parseSVG(t, img.Body)
		if root.AriaLabel != tt.aria {
			t.Errorf("aria-label %q, want %q", root.AriaLabel, tt.aria)
		}
		if s := groupSpec(tt.g, Options{}); s.color.String() != tt.color {
			t.Errorf("%v: colour %s, want %s", tt.g, s.color, tt.color)
		}
	}
	golden(t, "group.svg", GroupBadge(GroupCount{"team", 3, 12}, Options{}, SVG).Body)
}
