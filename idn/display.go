// Package idn decides how a domain name is shown to a person
// (docs/API.md#deployment): in Unicode when it reads as what it is, in its
// ASCII form (xn--...) when it mixes scripts or could pass for another name,
// as browsers do in the address bar. The checks follow UTS #39's "highly
// restrictive" level, label by label, with whole-script confusables and
// mixed digit systems refused as well.
package idn

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/net/idna"
)

// JID returns a bare JID (or room) as it should be displayed: the domain
// through Domain, the local part as it is.
func JID(jid string) string {
	local, domain, found := strings.Cut(jid, "@")
	if !found {
		return Domain(jid)
	}
	return local + "@" + Domain(domain)
}

// Domain returns domain as it should be displayed: each label in Unicode
// when it is safe to read, else the whole name in its ASCII form. A name
// that does not convert (an IP literal, a name IDNA refuses) is returned as
// given; one IDNA refuses in Unicode is shown in its ASCII form.
func Domain(domain string) string {
	if isASCII(domain) && !strings.Contains(domain, "xn--") && !strings.Contains(domain, "XN--") {
		return domain
	}
	uni, err := idna.Display.ToUnicode(domain)
	if err != nil {
		if ascii, err := idna.Punycode.ToASCII(domain); err == nil {
			return ascii
		}
		return domain
	}
	for label := range strings.SplitSeq(uni, ".") {
		if !safeLabel(label) {
			ascii, err := idna.Display.ToASCII(uni)
			if err != nil {
				return domain
			}
			return ascii
		}
	}
	return uni
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// safeLabel reports whether a Unicode label may be shown as it is.
func safeLabel(label string) bool {
	if isASCII(label) {
		return true
	}
	var scripts scriptSet
	zero := rune(-1) // the zero of the digit system in use
	for _, r := range label {
		if unicode.IsDigit(r) {
			z := digitZero(r)
			if zero >= 0 && z != zero {
				return false // mixed number systems
			}
			zero = z
		}
		s := scriptOf(r)
		switch s {
		case "":
			return false // not in any script: unassigned
		case "Common", "Inherited":
			if r >= utf8.RuneSelf && !unicode.IsDigit(r) {
				// Symbols, punctuation and combining marks beyond ASCII
				// are where look-alike tricks hide (U+2044, U+0338).
				if !unicode.Is(unicode.Mn, r) {
					return false
				}
			}
			continue
		}
		scripts.add(s)
	}
	if !scripts.allowed() {
		return false
	}
	return !wholeScriptConfusable(label, scripts)
}

// digitZero returns the zero of r's decimal digit block.
func digitZero(r rune) rune {
	for z := r; z >= r-9; z-- {
		if unicode.IsDigit(z) && (z == '0' || !unicode.IsDigit(z-1)) {
			return z
		}
	}
	return r
}

// scriptOf names the Unicode script of r, or "" when it has none.
func scriptOf(r rune) string {
	if r < utf8.RuneSelf {
		if 'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' {
			return "Latin"
		}
		return "Common"
	}
	for _, name := range likelyScripts {
		if unicode.Is(unicode.Scripts[name], r) {
			return name
		}
	}
	for name, table := range unicode.Scripts {
		if unicode.Is(table, r) {
			return name
		}
	}
	return ""
}

// likelyScripts are tried first, for speed.
var likelyScripts = []string{"Latin", "Common", "Inherited", "Cyrillic", "Greek", "Han", "Hiragana", "Katakana", "Hangul", "Arabic", "Hebrew"}

// scriptSet is the few scripts of one label.
type scriptSet []string

func (s *scriptSet) add(name string) {
	for _, have := range *s {
		if have == name {
			return
		}
	}
	*s = append(*s, name)
}

// allowed applies UTS #39 5.2 "highly restrictive": one script, or Latin
// with the scripts written together in Japanese, Chinese or Korean.
func (s scriptSet) allowed() bool {
	if len(s) <= 1 {
		return true
	}
	for _, combo := range [][]string{
		{"Latin", "Han", "Hiragana", "Katakana"},
		{"Latin", "Han", "Bopomofo"},
		{"Latin", "Han", "Hangul"},
	} {
		ok := true
		for _, name := range s {
			if !contains(combo, name) {
				ok = false
				break
			}
		}
		if ok {
			return true
		}
	}
	return false
}

func contains(list []string, v string) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}

// latinLookalikes are, per script, the letters that pass for Latin ones
// (UTS #39 whole-script confusables; the sets browsers use). A label made
// only of them, say Cyrillic "аррӏе", reads as a Latin name ("apple").
var latinLookalikes = map[string]string{
	"Cyrillic": "аысԁеԍһіюјӏорԗԛѕԝхуъЬҽпгѵѡ",
	"Greek":    "αικνορτυχωϲ",
	"Armenian": "ագզհյոռսւօ",
}

func wholeScriptConfusable(label string, scripts scriptSet) bool {
	if len(scripts) != 1 {
		return false
	}
	set, ok := latinLookalikes[scripts[0]]
	if !ok {
		return false
	}
	letters := 0
	for _, r := range label {
		if !unicode.IsLetter(r) {
			continue
		}
		letters++
		if !strings.ContainsRune(set, unicode.ToLower(r)) {
			return false
		}
	}
	return letters > 0
}
