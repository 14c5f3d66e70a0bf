package render

import (
	"strings"
	"unicode"
)

// Arabic letters change shape with their neighbours. Browsers shape the
// SVG's text themselves; for measuring and for the PNG, shapeArabic picks
// each letter's contextual form from the Arabic Presentation Forms-B block,
// which the embedded font covers, and forms the mandatory lam-alef
// ligatures. That covers the basic Arabic alphabet; letters outside it keep
// their isolated form.

// arabicForms gives, for U+0621..U+064A, how many presentation forms the
// letter has: 1 joins neither side, 2 joins only the letter before it
// (isolated, final), 4 joins both (isolated, final, initial, medial); 0 is
// not a letter. The forms follow one another from U+FE80 in this order.
var arabicForms = [...]uint8{
	1, 2, 2, 2, 2, 4, 2, 4, 2, 4, 4, 4, 4, 4, 2, 2, // U+0621..U+0630
	2, 2, 4, 4, 4, 4, 4, 4, 4, 4, 0, 0, 0, 0, 0, 0, // U+0631..U+0640
	4, 4, 4, 4, 4, 4, 4, 2, 2, 4, // U+0641..U+064A
}

// arabicFirst holds the presentation form of each letter's isolated form.
var arabicFirst = func() (first [len(arabicForms)]rune) {
	next := rune(0xFE80)
	for i, n := range arabicForms {
		first[i] = next
		next += rune(n)
	}
	return first
}()

const (
	arabicBase = 0x0621
	tatweel    = 0x0640 // the joining stroke: joins both sides, has no forms
	lam        = 0x0644
)

// arabicJoins returns how r joins: before (to the preceding letter) and
// after (to the following one).
func arabicJoins(r rune) (before, after bool) {
	if r == tatweel {
		return true, true
	}
	if i := r - arabicBase; i >= 0 && int(i) < len(arabicForms) {
		n := arabicForms[i]
		return n >= 2, n == 4
	}
	return false, false
}

// lamAlef maps an alef that follows lam to the isolated form of their
// ligature (the final form is the next code point).
var lamAlef = map[rune]rune{0x0622: 0xFEF5, 0x0623: 0xFEF7, 0x0625: 0xFEF9, 0x0627: 0xFEFB}

// shapeArabic returns s with Arabic letters in their contextual forms;
// other text is returned unchanged.
func shapeArabic(s string) string {
	if !strings.ContainsFunc(s, func(r rune) bool { return r >= arabicBase && r <= 0x064A }) {
		return s
	}
	rs := []rune(s)
	// neighbour finds the letter next to i in direction d, skipping marks,
	// which are transparent to joining.
	neighbour := func(i, d int) rune {
		for j := i + d; j >= 0 && j < len(rs); j += d {
			if !unicode.In(rs[j], unicode.Mn, unicode.Me) {
				return rs[j]
			}
		}
		return 0
	}
	var b strings.Builder
	for i := 0; i < len(rs); i++ {
		r := rs[i]
		idx := r - arabicBase
		if idx < 0 || int(idx) >= len(arabicForms) || arabicForms[idx] == 0 {
			b.WriteRune(r)
			continue
		}
		_, prevJoins := arabicJoins(neighbour(i, -1))
		joinsPrev := prevJoins && arabicForms[idx] >= 2
		if r == lam && i+1 < len(rs) {
			if lig, ok := lamAlef[rs[i+1]]; ok {
				if joinsPrev {
					lig++
				}
				b.WriteRune(lig)
				i++
				continue
			}
		}
		nextJoins, _ := arabicJoins(neighbour(i, 1))
		joinsNext := nextJoins && arabicForms[idx] == 4
		form := rune(0) // isolated
		switch {
		case joinsPrev && joinsNext:
			form = 3
		case joinsPrev:
			form = 1
		case joinsNext:
			form = 2
		}
		b.WriteRune(arabicFirst[idx] + form)
	}
	return b.String()
}
