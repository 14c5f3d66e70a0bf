package render

import "testing"

func TestParseColor(t *testing.T) {
	tests := []struct {
		in   string
		want string // "" for rejected
	}{
		{"brightgreen", "#4c1"},
		{"green", "#97ca00"}, // shields' green, not CSS green
		{"Success", "#4c1"},
		{"critical", "#e05d44"},
		{"informational", "#007ec6"},
		{"inactive", "#9f9f9f"},
		{"lightgray", "#9f9f9f"},
		{"blueviolet", "#8a2be2"},
		{"purple", "#800080"},
		{"abc", "#abc"},
		{"#ABC", "#abc"},
		{"00ff00", "#00ff00"},
		{"#00FF00", "#00ff00"},
		{" red ", "#e05d44"},
		{"#abcd", ""},
		{"#ab", ""},
		{"ggg", ""},
		{"", ""},
		{`red" onload="x`, ""},
		{"url(#s)", ""},
		{"rgb(1,2,3)", ""},
		{"##abc", ""},
	}
	for _, tt := range tests {
		c, ok := ParseColor(tt.in)
		if ok != (tt.want != "") || c.String() != tt.want {
			t.Errorf("ParseColor(%q) = %q, %v; want %q", tt.in, c, ok, tt.want)
		}
	}
}

func TestCSSColorsAreValid(t *testing.T) {
	if len(cssColors) != 148 {
		t.Errorf("%d CSS colours, want the 148 of CSS Color 4", len(cssColors))
	}
	for name, hex := range cssColors {
		if c, ok := ParseColor(hex); !ok || c.String() != hex {
			t.Errorf("%s: %q is not a valid colour", name, hex)
		}
	}
}

func TestTextColors(t *testing.T) {
	for _, tt := range []struct {
		bg   string
		text Color
	}{
		{"brightgreen", whiteText}, {"red", whiteText}, {"grey", whiteText}, {"yellow", whiteText},
		{"white", darkText}, {"#eee", darkText}, {"lightyellow", darkText}, {"gold", darkText},
	} {
		if got, _ := textColors(mustColor(tt.bg)); got != tt.text {
			t.Errorf("text on %s: %v, want %v", tt.bg, got, tt.text)
		}
	}
}

func TestRGB(t *testing.T) {
	r, g, b := mustColor("#4c1").rgb()
	if r != 0x44 || g != 0xcc || b != 0x11 {
		t.Errorf("#4c1 = %x %x %x", r, g, b)
	}
	r, g, b = mustColor("#8a2be2").rgb()
	if r != 0x8a || g != 0x2b || b != 0xe2 {
		t.Errorf("#8a2be2 = %x %x %x", r, g, b)
	}
}
