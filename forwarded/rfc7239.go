package forwarded

import "strings"

// pair is one forwarded-pair of RFC 7239 (section 4): a lower-case token
// and its value, unquoted.
type pair struct {
	key, value string
}

// elements parses Forwarded header lines into their forwarded-elements, in
// order, each a list of pairs. A malformed element is kept as nil, a hop
// that names nobody, so that it cannot shift the hops after it; an
// unterminated quote ends the line there.
func elements(lines []string) [][]pair {
	var out [][]pair
	for _, line := range lines {
		for len(line) > 0 {
			el, rest, ok := element(line)
			switch {
			case !ok:
				out = append(out, nil)
			case len(el) > 0: // an empty list item is no element
				out = append(out, el)
			}
			line = rest
		}
	}
	return out
}

// element parses one forwarded-element from the start of s and returns it
// and what follows its ",". ok is false when the element was malformed.
func element(s string) (el []pair, rest string, ok bool) {
	ok = true
	for {
		s = strings.TrimLeft(s, " \t")
		if s == "" {
			return el, "", ok
		}
		switch s[0] {
		case ',':
			return el, s[1:], ok
		case ';':
			s = s[1:]
			continue
		}
		// token "=" value
		i := 0
		for i < len(s) && isTchar(s[i]) {
			i++
		}
		key := strings.ToLower(s[:i])
		s = s[i:]
		if key == "" || !strings.HasPrefix(s, "=") {
			ok = false
			s = skipToDelim(s)
			continue
		}
		s = s[1:]
		var val string
		if strings.HasPrefix(s, `"`) {
			v, after, closed := quoted(s)
			if !closed {
				return nil, "", false
			}
			val, s = v, after
		} else {
			j := 0
			for j < len(s) && isTchar(s[j]) {
				j++
			}
			val, s = s[:j], s[j:]
		}
		if t := strings.TrimLeft(s, " \t"); t != "" && t[0] != ';' && t[0] != ',' {
			ok = false
			s = skipToDelim(t)
			continue
		}
		el = append(el, pair{key: key, value: val})
	}
}

// quoted reads a quoted-string (RFC 9110 5.6.4) at the start of s.
func quoted(s string) (val, rest string, closed bool) {
	var b strings.Builder
	for i := 1; i < len(s); i++ {
		switch c := s[i]; c {
		case '\\':
			if i+1 < len(s) {
				i++
				b.WriteByte(s[i])
			}
		case '"':
			return b.String(), s[i+1:], true
		default:
			b.WriteByte(c)
		}
	}
	return "", "", false
}

// skipToDelim skips to the next ";" or "," outside quotes.
func skipToDelim(s string) string {
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case ';', ',':
			return s[i:]
		case '"':
			if _, rest, closed := quoted(s[i:]); closed {
				return skipToDelim(rest)
			}
			return ""
		}
	}
	return ""
}

// isTchar reports a token character (RFC 9110 5.6.2).
func isTchar(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.IndexByte("!#$%&'*+-.^_`|~", c) >= 0
}

// forValues returns the for= value of each element, in order; an element
// without one counts as a hop that names nobody ("unknown").
func forValues(lines []string) []string {
	els := elements(lines)
	out := make([]string, 0, len(els))
	for _, el := range els {
		v := "unknown"
		for _, p := range el {
			if p.key == "for" {
				v = p.value
				break
			}
		}
		out = append(out, v)
	}
	return out
}
