package render

import "testing"

func TestMeasure(t *testing.T) {
	w1, _ := regular.measure("online", fontSize)
	w2, _ := regular.measure("online and more", fontSize)
	wb, _ := bold.measure("online", fontSize)
	if w1 < 25 || w1 > 45 {
		t.Errorf("online is %.1f px at 11 px, far from its real width", w1)
	}
	if w2 <= w1 || wb <= w1 {
		t.Errorf("widths do not grow: %.1f, %.1f, bold %.1f", w1, w2, wb)
	}
	w, gaps := regular.measure("a b", fontSize)
	if gaps != 2 || w <= 0 {
		t.Errorf("a b: %.1f px, %d gaps; textLength spreads over spaces too", w, gaps)
	}
}

func TestGlyphFallback(t *testing.T) {
	tests := []struct {
		r       rune
		drawn   bool
		advance float64 // em; 0 means "anything positive" for drawn glyphs
	}{
		{'W', true, 0},
		{'ש', true, 0},
		{'م', true, 0},
		{'李', false, 1},
		{'🎉', false, 1},
		{'\U000E0001', false, 0}, // a format character the font lacks takes no room
	}
	for _, tt := range tests {
		a, ok := regular.glyph(tt.r)
		if ok != tt.drawn {
			t.Errorf("%U: drawn %v, want %v", tt.r, ok, tt.drawn)
		}
		if tt.drawn && a <= 0 {
			t.Errorf("%U: advance %v", tt.r, a)
		}
		if !tt.drawn && a != tt.advance {
			t.Errorf("%U: fallback advance %v, want %v", tt.r, a, tt.advance)
		}
	}
}

func TestZeroWidth(t *testing.T) {
	for _, r := range []rune{'\u200d', '\u0301', '\ufe0f'} {
		if a, _ := regular.glyph(r); a != 0 {
			t.Errorf("%U takes %v em, want none", r, a)
		}
	}
}

func TestFacesArePooledPerSize(t *testing.T) {
	f1 := regular.face(11)
	f2 := regular.face(22)
	if f1.Metrics().Height >= f2.Metrics().Height {
		t.Error("a 22 px face is not larger than an 11 px one")
	}
	regular.release(11, f1)
	regular.release(22, f2)
}
