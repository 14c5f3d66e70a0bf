package render

import "testing"

func TestFormats(t *testing.T) {
	for _, tt := range []struct {
		name string
		base string
		f    Format
		ok   bool
	}{
		{"alice@example.com.svg", "alice@example.com", SVG, true},
		{"alice@example.com.png", "alice@example.com", PNG, true},
		{"alice@example.com", "alice@example.com", 0, false},
		{"x.svg.png", "x.svg", PNG, true},
		{".svg", "", SVG, true},
	} {
		base, f, ok := CutFormat(tt.name)
		if base != tt.base || f != tt.f || ok != tt.ok {
			t.Errorf("CutFormat(%q) = %q, %v, %v", tt.name, base, f, ok)
		}
	}
	for ext, want := range map[string]Format{"svg": SVG, ".png": PNG} {
		if f, err := ParseFormat(ext); err != nil || f != want {
			t.Errorf("ParseFormat(%q) = %v, %v", ext, f, err)
		}
	}
	if _, err := ParseFormat("gif"); err == nil {
		t.Error("ParseFormat accepted gif")
	}
	if SVG.ContentType() != "image/svg+xml; charset=utf-8" || PNG.ContentType() != "image/png" {
		t.Error("content types")
	}
	if SVG.String() != "svg" || PNG.String() != "png" || Format(9).String() != "Format(9)" {
		t.Error("format names")
	}
}
