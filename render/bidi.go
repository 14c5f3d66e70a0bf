package render

import (
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/bidi"
)

// The SVG leaves bidirectional text to the browser. The PNG has to put the
// glyphs in display order itself; visualOrder applies the parts of the
// Unicode Bidirectional Algorithm (UAX #9) that one line of a label needs:
// paragraph direction from the first strong character, numbers, neutrals
// between runs, reordering by level and mirrored brackets. Explicit
// embeddings and isolates are treated as neutral. Arabic letters are drawn
// in their isolated forms: shaping needs a shaping engine.

type bidiClass uint8

const (
	classNeutral bidiClass = iota
	classL
	classR
	classNumber
)

func classOf(r rune) bidiClass {
	p, _ := bidi.LookupRune(r)
	switch p.Class() {
	case bidi.L:
		return classL
	case bidi.R, bidi.AL:
		return classR
	case bidi.EN, bidi.AN:
		return classNumber
	}
	return classNeutral
}

// rtlText reports whether the first strong character of s is right-to-left
// (rules P2 and P3), which makes the whole text a right-to-left paragraph.
func rtlText(s string) bool {
	for _, r := range s {
		switch classOf(r) {
		case classL:
			return false
		case classR:
			return true
		}
	}
	return false
}

// cluster is a base character with the combining marks that follow it;
// reordering moves clusters, so marks stay on their base.
type cluster struct {
	text  string
	class bidiClass
	level uint8
}

// visualOrder splits s into clusters in display order, left to right.
func visualOrder(s string) []cluster {
	cs := clusters(s)
	rtl := rtlText(s)
	if !rtl && !hasRTL(cs) {
		return cs
	}
	base := uint8(0)
	if rtl {
		base = 1
	}
	resolve(cs, base)
	reorder(cs)
	return cs
}

func clusters(s string) []cluster {
	cs := make([]cluster, 0, len(s))
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		j := i + n
		for j < len(s) {
			m, k := utf8.DecodeRuneInString(s[j:])
			if !unicode.In(m, unicode.Mn, unicode.Me) {
				break
			}
			j += k
		}
		cs = append(cs, cluster{text: s[i:j], class: classOf(r)})
		i = j
	}
	return cs
}

func hasRTL(cs []cluster) bool {
	for _, c := range cs {
		if c.class == classR {
			return true
		}
	}
	return false
}

// resolve gives every cluster its embedding level.
func resolve(cs []cluster, base uint8) {
	baseClass := classL
	if base == 1 {
		baseClass = classR
	}
	// W7: a number after left-to-right text (or at the start of a
	// left-to-right paragraph) is left-to-right.
	prev := baseClass
	for i := range cs {
		switch cs[i].class {
		case classL, classR:
			prev = cs[i].class
		case classNumber:
			if prev == classL {
				cs[i].class = classL
			}
		}
	}
	// N1, N2: neutrals between two runs of one direction take it (numbers
	// count as right-to-left), others take the paragraph's.
	strong := func(c bidiClass) bidiClass {
		if c == classNumber {
			return classR
		}
		return c
	}
	for i := 0; i < len(cs); {
		if cs[i].class != classNeutral {
			i++
			continue
		}
		j := i
		for j < len(cs) && cs[j].class == classNeutral {
			j++
		}
		before, after := baseClass, baseClass
		if i > 0 {
			before = strong(cs[i-1].class)
		}
		if j < len(cs) {
			after = strong(cs[j].class)
		}
		dir := baseClass
		if before == after {
			dir = before
		}
		for k := i; k < j; k++ {
			cs[k].class = dir
		}
		i = j
	}
	// I1, I2.
	for i := range cs {
		switch c := cs[i].class; {
		case c == classNumber:
			cs[i].level = 2 // the next even level above either paragraph level
		case (c == classR) != (base == 1):
			cs[i].level = base + 1
		default:
			cs[i].level = base
		}
	}
}

// reorder reverses, from the highest level down to the lowest odd one,
// every run at that level or above (L2), and mirrors brackets in
// right-to-left runs (L4).
func reorder(cs []cluster) {
	var hi, lo uint8 = 0, 255
	for _, c := range cs {
		hi = max(hi, c.level)
		if c.level%2 == 1 {
			lo = min(lo, c.level)
		}
	}
	for lvl := hi; lvl >= lo && lvl > 0; lvl-- {
		for i := 0; i < len(cs); {
			if cs[i].level < lvl {
				i++
				continue
			}
			j := i
			for j < len(cs) && cs[j].level >= lvl {
				j++
			}
			for a, b := i, j-1; a < b; a, b = a+1, b-1 {
				cs[a], cs[b] = cs[b], cs[a]
			}
			i = j
		}
	}
	for i := range cs {
		if cs[i].level%2 == 1 {
			if m, ok := mirrors[cs[i].text]; ok {
				cs[i].text = m
			}
		}
	}
}

// mirrors are the paired characters a right-to-left run shows mirrored.
var mirrors = map[string]string{
	"(": ")", ")": "(", "[": "]", "]": "[", "{": "}", "}": "{",
	"<": ">", ">": "<", "«": "»", "»": "«", "‹": "›", "›": "‹",
}
