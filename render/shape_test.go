package render

import "testing"

func TestShapeArabic(t *testing.T) {
	tests := []struct{ in, want string }{
		{"abc", "abc"},
		{"ب", "\uFE8F"},               // isolated
		{"بب", "\uFE91\uFE90"},        // initial, final
		{"ببب", "\uFE91\uFE92\uFE90"}, // initial, medial, final
		{"دب", "\uFEA9\uFE8F"},        // dal joins only before it: both isolated
		{"بد", "\uFE91\uFEAA"},        // initial, final
		{"لا", "\uFEFB"},              // lam-alef ligature
		{"بلا", "\uFE91\uFEFC"},       // final ligature after a joining letter
		{"بَب", "\uFE91\u064E\uFE90"}, // a vowel mark does not break the join
		{"ب ب", "\uFE8F \uFE8F"},      // a space does
		{"مرحبا", "\uFEE3\uFEAE\uFEA3\uFE92\uFE8E"},
	}
	for _, tt := range tests {
		if got := shapeArabic(tt.in); got != tt.want {
			t.Errorf("shapeArabic(%q) = %+q, want %+q", tt.in, got, tt.want)
		}
	}
}
