package render

import (
	"strings"
	"testing"
)

func display(s string) string {
	var b strings.Builder
	for _, c := range visualOrder(s) {
		b.WriteString(c.text)
	}
	return b.String()
}

func TestVisualOrder(t *testing.T) {
	tests := []struct{ in, want string }{
		{"", ""},
		{"alice@example.com", "alice@example.com"},
		{"12 online", "12 online"},
		{"שלום", "םולש"},
		{"שלום עולם!", "!םלוע םולש"},
		{"alice שלום 123 bob", "alice 123 םולש bob"},
		{"مرحبا (test)", "(test) ابحرم"},
		{"שלום@example.com", "example.com@םולש"},
		{"(שלום)", "(םולש)"},         // a right-to-left paragraph: brackets mirror
		{"שׁלום", "םולשׁ"},           // the mark stays on its letter
		{"abc שלום 5", "abc 5 םולש"}, // a number after Hebrew joins its run
	}
	for _, tt := range tests {
		if got := display(tt.in); got != tt.want {
			t.Errorf("visualOrder(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestRTLText(t *testing.T) {
	for s, want := range map[string]bool{"": false, "abc": false, "123 שלום": true, "abc שלום": false, "«مرحبا»": true} {
		if got := rtlText(s); got != want {
			t.Errorf("rtlText(%q) = %v", s, got)
		}
	}
}
