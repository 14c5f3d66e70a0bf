package render

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// maxTextRunes bounds a label or message so that no URL can ask for a giant
// image; longer text is cut and ends in an ellipsis.
const maxTextRunes = 100

// cleanText makes outside text safe to measure, draw and put into XML:
// valid UTF-8, no control characters or characters XML forbids, white space
// runs collapsed to one space, trimmed, and at most maxTextRunes runes.
func cleanText(s string) string {
	if plainASCII(s) {
		return s
	}
	s = strings.ToValidUTF8(s, "\uFFFD")
	var b strings.Builder
	b.Grow(min(len(s), maxTextRunes*utf8.UTFMax))
	n := 0
	space := false
	for _, r := range s {
		switch {
		case unicode.IsSpace(r):
			space = n > 0
			continue
		case unicode.IsControl(r), r == '\uFFFE', r == '\uFFFF':
			continue
		}
		if space {
			b.WriteByte(' ')
			n++
			space = false
		}
		if n >= maxTextRunes {
			// Cut before the limit so the ellipsis fits in it.
			return cutRunes(b.String(), maxTextRunes-1) + "…"
		}
		b.WriteRune(r)
		n++
	}
	return b.String()
}

// plainASCII reports whether s needs no cleaning: printable ASCII, short,
// no leading, trailing or doubled spaces. It keeps the common case free of
// allocations.
func plainASCII(s string) bool {
	if len(s) > maxTextRunes || strings.HasPrefix(s, " ") || strings.HasSuffix(s, " ") ||
		strings.Contains(s, "  ") {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < 0x20 || s[i] > 0x7e {
			return false
		}
	}
	return true
}

// cutRunes returns the first n runes of s, without trailing space.
func cutRunes(s string, n int) string {
	for i := range s {
		if n == 0 {
			return strings.TrimRight(s[:i], " ")
		}
		n--
	}
	return s
}

// appendEscaped appends s with the five XML special characters escaped, so
// it is safe both as character data and inside a double-quoted attribute.
func appendEscaped(dst []byte, s string) []byte {
	last := 0
	for i := 0; i < len(s); i++ {
		var esc string
		switch s[i] {
		case '&':
			esc = "&amp;"
		case '<':
			esc = "&lt;"
		case '>':
			esc = "&gt;"
		case '"':
			esc = "&quot;"
		case '\'':
			esc = "&apos;"
		default:
			continue
		}
		dst = append(dst, s[last:i]...)
		dst = append(dst, esc...)
		last = i + 1
	}
	return append(dst, s[last:]...)
}
