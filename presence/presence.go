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

// CleanMessage trims a status text, drops control characters and cuts it to
// MaxMessageRunes runes. Invalid UTF-8 is replaced.
func CleanMessage(s string) string {
	if s == "" {
		return ""
	}
	s = strings.ToValidUTF8(s, "\uFFFD")
	var b strings.Builder
	b.Grow(len(s))
	n := 0
	space := false
	for _, r := range strings.TrimSpace(s) {
		if unicode.IsControl(r) || r == '\u2028' || r == '\u2029' {
			// Line breaks and tabs become one space; other controls vanish.
			if r == '\n' || r == '\r' || r == '\t' || r == '\u2028' || r == '\u2029' {
				space = true
			}
			continue
		}
		if space {
			if n == MaxMessageRunes {
				break
			}
			b.WriteByte(' ')
			n++
			space = false
		}
		if n == MaxMessageRunes {
			break
		}
		b.WriteRune(r)
		n++
	}
	out := strings.TrimSpace(b.String())
	if !utf8.ValidString(out) {
		return ""
	}
	return out
}
