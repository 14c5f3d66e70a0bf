package presence

import (
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Source names where a presence came from.
type Source string

// The sources of presence.
const (
	SourceXMPP Source = "xmpp"
	SourceHTTP Source = "http"
)

// MaxMessageRunes bounds a status text.
const MaxMessageRunes = 200

// Presence is the aggregated presence of one bare JID, as the APIs show it.
type Presence struct {
	JID      string
	Status   Status
	Message  string
	Since    time.Time // when Status began; zero when unknown
	LastSeen time.Time // when the JID last went offline; zero when never seen
	Sources  map[Source]Status
	// Details is the rich presence: only what the operator shares and the
	// user shows (docs/API.md#rich-presence).
	Details Details
}

// UnknownPresence is the answer for a JID nobody may see: exactly what a
// JID that does not exist looks like.
func UnknownPresence(jid string) Presence {
	return Presence{JID: jid, Status: Unknown}
}

// Room is the occupancy of a multi-user chat room.
type Room struct {
	Room      string
	Occupants int
}

// CleanMessage makes a status text fit to serve: invalid UTF-8 is replaced,
// line breaks and tabs (with the white space around them) become one space,
// other control characters and bidirectional embeddings, overrides and
// isolates vanish (they could make a badge read other than it is), the ends are trimmed, and the result is
// cut to MaxMessageRunes runes without leaving a trailing space. Runs of
// plain spaces are the user's and are kept. CleanMessage is idempotent.
func CleanMessage(s string) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	var b strings.Builder
	n := 0       // runes written to b
	gap := -1    // start in s of the white space before the current rune; -1: none
	brk := false // the gap holds a line break or a tab
	for i, r := range s {
		if unicode.IsSpace(r) || isDropped(r) {
			if gap < 0 {
				gap, brk = i, false
			}
			brk = brk || isBreak(r)
			continue
		}
		// White space is written only between two visible runes: that trims
		// both ends and never leaves a space where the text is cut.
		if gap >= 0 && n > 0 {
			sep := " "
			if !brk {
				sep = strings.Map(dropControl, s[gap:i])
			}
			if k := utf8.RuneCountInString(sep); n+k+1 <= MaxMessageRunes {
				b.WriteString(sep)
				n += k
			} else {
				break
			}
		}
		gap = -1
		if n == MaxMessageRunes {
			break
		}
		b.WriteRune(r)
		n++
	}
	return b.String()
}

// isBreak reports whether r ends a line (or is a tab): such white space is
// shown as one space, since a badge or an embed has a single line.
func isBreak(r rune) bool {
	switch r {
	case '\n', '\r', '\t', '\v', '\f', '\u0085', '\u2028', '\u2029':
		return true
	}
	return false
}

func dropControl(r rune) rune {
	if isDropped(r) {
		return -1
	}
	return r
}

// isDropped reports whether r is removed from status texts: control
// characters, and the explicit bidirectional formatting characters
// (U+202A..U+202E, U+2066..U+2069), which could reorder the text around
// them on a badge. Right-to-left text itself needs none of them.
func isDropped(r rune) bool {
	return unicode.IsControl(r) || (r >= 0x202A && r <= 0x202E) || (r >= 0x2066 && r <= 0x2069)
}
