package render

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestCleanText(t *testing.T) {
	tests := []struct{ in, want string }{
		{"alice@example.com", "alice@example.com"},
		{"  a \t\n b  ", "a b"},
		{"a\x00b\x1bc\u0085d", "abc d"},
		{"bad \xff utf8", "bad \uFFFD utf8"},
		{"non\uFFFEchar", "nonchar"},
		{"שלום", "שלום"},
		{strings.Repeat("x", 100), strings.Repeat("x", 100)},
		{strings.Repeat("x", 101), strings.Repeat("x", 99) + "…"},
		{strings.Repeat("é", 150), strings.Repeat("é", 99) + "…"},
		{strings.Repeat("x", 98) + "  y z", strings.Repeat("x", 98) + "…"},
	}
	for _, tt := range tests {
		got := cleanText(tt.in)
		if got != tt.want {
			t.Errorf("cleanText(%q) = %q, want %q", tt.in, got, tt.want)
		}
		if again := cleanText(got); again != got {
			t.Errorf("cleanText is not idempotent on %q: %q", got, again)
		}
		if n := utf8.RuneCountInString(got); n > maxTextRunes {
			t.Errorf("cleanText(%q) has %d runes", tt.in, n)
		}
	}
}

func TestAppendEscaped(t *testing.T) {
	got := string(appendEscaped(nil, `<a href="x">Tom & Jerry's</a>`))
	want := `&lt;a href=&quot;x&quot;&gt;Tom &amp; Jerry&apos;s&lt;/a&gt;`
	if got != want {
		t.Errorf("got %s\nwant %s", got, want)
	}
}

func TestCleanPlainTextDoesNotAllocate(t *testing.T) {
	if n := testing.AllocsPerRun(100, func() { cleanText("alice@example.com") }); n != 0 {
		t.Errorf("%v allocations for plain text", n)
	}
}
