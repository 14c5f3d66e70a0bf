package presence

import (
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

func TestCleanMessage(t *testing.T) {
	long := strings.Repeat("é", MaxMessageRunes+50)
	tests := []struct {
		name, in, want string
	}{
		{"empty", "", ""},
		{"plain", "In a meeting", "In a meeting"},
		{"trimmed", "  \t In a meeting \r\n", "In a meeting"},
		{"inner spaces kept", "a  b", "a  b"},
		{"newline", "line one\nline two", "line one line two"},
		{"crlf", "line one\r\nline two", "line one line two"},
		{"blank lines", "a\n\n\n\nb", "a b"},
		{"spaces around newline", "a  \n  b", "a b"},
		{"tab", "a\tb", "a b"},
		{"unicode line separators", "a\u2028b\u2029c\u0085d", "a b c d"},
		{"controls removed", "a\x00b\x07c\x1bd\x7fe\u009bf", "abcdef"},
		{"controls between spaces", "a \x00 b", "a  b"},
		{"only controls", "\x00\x01\n\t", ""},
		{"invalid utf-8", "a\xff\xfeb", "a\uFFFDb"},
		{"bidi overrides removed", "busy \u202Eenilno\u202C \u2066x\u2069", "busy enilno x"},
		{"right-to-left text kept", "בפגישה", "בפגישה"},
		{"non-ascii", "Réunion 会議 🙂", "Réunion 会議 🙂"},
		{"cut", long, strings.Repeat("é", MaxMessageRunes)},
		{"cut leaves no trailing space", strings.Repeat("x", MaxMessageRunes-1) + " yz", strings.Repeat("x", MaxMessageRunes-1)},
		{"cut at a line break", strings.Repeat("x", MaxMessageRunes-1) + "\nyz", strings.Repeat("x", MaxMessageRunes-1)},
		// Dropped characters must not use up the limit.
		{"leading junk is free", "\x00" + strings.Repeat(" ", 300) + "hello", "hello"},
		{"controls are free", strings.Repeat("\x01", 500) + "hello", "hello"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := CleanMessage(tt.in); got != tt.want {
				t.Errorf("CleanMessage(%.60q) = %.60q, want %.60q", tt.in, got, tt.want)
			}
		})
	}
}

// FuzzCleanMessage checks the promises the renderers rely on.
func FuzzCleanMessage(f *testing.F) {
	for _, s := range []string{
		"", "In a meeting", " a \r\n b ", "a\x00b", "\xff\xfe", "a\u2028b", strings.Repeat("ab ", 120),
		strings.Repeat("\n", 10) + "x", "\u00a0a\u00a0\u00a0b\u3000", "🙂🙂🙂",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got := CleanMessage(s)
		if !utf8.ValidString(got) {
			t.Fatalf("CleanMessage(%q) = %q: invalid UTF-8", s, got)
		}
		if n := utf8.RuneCountInString(got); n > MaxMessageRunes {
			t.Fatalf("CleanMessage(%q) has %d runes", s, n)
		}
		if i := strings.IndexFunc(got, unicode.IsControl); i >= 0 {
			t.Fatalf("CleanMessage(%q) = %q: control character at %d", s, got, i)
		}
		if strings.TrimSpace(got) != got {
			t.Fatalf("CleanMessage(%q) = %q: not trimmed", s, got)
		}
		if again := CleanMessage(got); again != got {
			t.Fatalf("CleanMessage not idempotent: %q -> %q -> %q", s, got, again)
		}
	})
}
