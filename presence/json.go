package presence

import (
	"encoding/json"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// presenceJSON is the wire form of docs/API.md#json. Field order is fixed so
// that equal presences always encode to equal bytes.
type presenceJSON struct {
	JID      string            `json:"jid"`
	Status   Status            `json:"status"`
	State    State             `json:"state"`
	Message  string            `json:"message,omitempty"`
	Since    *time.Time        `json:"since"`
	LastSeen *time.Time        `json:"last_seen"`
	Sources  map[Source]Status `json:"sources"`
	DetailsJSON
}

// DetailsJSON is the wire form of Details (docs/API.md#rich-presence),
// for the APIs that carry them: every member is left out when unknown, not
// shared or hidden, so a JID without details encodes as before.
type DetailsJSON struct {
	Name      string        `json:"name,omitempty"`
	Avatar    string        `json:"avatar,omitempty"`
	Devices   []string      `json:"devices,omitempty"`
	IdleSince *time.Time    `json:"idle_since,omitempty"`
	Tune      *tuneJSON     `json:"tune,omitempty"`
	Mood      *moodJSON     `json:"mood,omitempty"`
	Activity  *activityJSON `json:"activity,omitempty"`
}

type tuneJSON struct {
	Artist string `json:"artist,omitempty"`
	Title  string `json:"title,omitempty"`
	Source string `json:"source,omitempty"`
	Track  string `json:"track,omitempty"`
	Length int    `json:"length,omitempty"`
	URI    string `json:"uri,omitempty"`
}

type moodJSON struct {
	Value string `json:"value,omitempty"`
	Text  string `json:"text,omitempty"`
}

type activityJSON struct {
	General  string `json:"general,omitempty"`
	Specific string `json:"specific,omitempty"`
	Text     string `json:"text,omitempty"`
}

// AvatarURL is where the picture id of jid is served: the query changes
// with the picture, so a cache never shows an old one.
func AvatarURL(jid, id string) string {
	return "/avatar/" + url.PathEscape(jid) + ".png?v=" + url.QueryEscape(id)
}

// avatarID reads the picture id back from an AvatarURL.
func avatarID(u string) string {
	_, q, ok := strings.Cut(u, "?")
	if !ok {
		return ""
	}
	v, err := url.ParseQuery(q)
	if err != nil {
		return ""
	}
	return v.Get("v")
}

// NewDetailsJSON is the wire form of the details of jid.
func NewDetailsJSON(d Details, jid string) DetailsJSON {
	var w DetailsJSON
	w.set(d, jid)
	return w
}

func (w *DetailsJSON) set(d Details, jid string) {
	w.Name = d.Name
	if d.AvatarID != "" {
		w.Avatar = AvatarURL(jid, d.AvatarID)
	}
	w.Devices = d.Devices
	w.IdleSince = timePtr(d.IdleSince)
	if t := d.Tune; t != nil {
		w.Tune = &tuneJSON{Artist: t.Artist, Title: t.Title, Source: t.Source, Track: t.Track, Length: t.Length, URI: t.URI}
	}
	if m := d.Mood; m != nil {
		w.Mood = &moodJSON{Value: m.Value, Text: m.Text}
	}
	if a := d.Activity; a != nil {
		w.Activity = &activityJSON{General: a.General, Specific: a.Specific, Text: a.Text}
	}
}

func (w *DetailsJSON) details() Details {
	d := Details{Name: w.Name, AvatarID: avatarID(w.Avatar), Devices: w.Devices}
	if w.IdleSince != nil {
		d.IdleSince = *w.IdleSince
	}
	if t := w.Tune; t != nil {
		d.Tune = &Tune{Artist: t.Artist, Title: t.Title, Source: t.Source, Track: t.Track, Length: t.Length, URI: t.URI}
	}
	if m := w.Mood; m != nil {
		d.Mood = &Mood{Value: m.Value, Text: m.Text}
	}
	if a := w.Activity; a != nil {
		d.Activity = &Activity{General: a.General, Specific: a.Specific, Text: a.Text}
	}
	return d
}

func timePtr(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	t = t.UTC().Truncate(time.Second)
	return &t
}

// MarshalJSON encodes the presence as docs/API.md#json shows it: the bytes
// json.Marshal gives for presenceJSON, HTML escaping included, written
// without reflection, since every change of every JID is encoded
// (FuzzPresenceJSON holds the two together).
func (p Presence) MarshalJSON() ([]byte, error) {
	return appendPresence(make([]byte, 0, 192), p), nil
}

func appendPresence(b []byte, p Presence) []byte {
	b = appendKey(b, '{', "jid")
	b = appendString(b, p.JID)
	b = appendKey(b, ',', "status")
	b = appendString(b, string(p.Status))
	b = appendKey(b, ',', "state")
	b = appendString(b, string(p.Status.State()))
	if p.Message != "" {
		b = appendKey(b, ',', "message")
		b = appendString(b, p.Message)
	}
	b = appendKey(b, ',', "since")
	b = appendTime(b, p.Since)
	b = appendKey(b, ',', "last_seen")
	b = appendTime(b, p.LastSeen)
	b = appendKey(b, ',', "sources")
	b = append(b, '{')
	// Keys in order, as json.Marshal sorts them; there are at most a few.
	var keys [4]Source
	names := keys[:0]
	for s := range p.Sources {
		names = append(names, s)
	}
	slices.Sort(names)
	for i, s := range names {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendString(b, string(s))
		b = append(b, ':')
		b = appendString(b, string(p.Sources[s]))
	}
	b = append(b, '}')
	b = appendDetails(b, p.Details, p.JID)
	return append(b, '}')
}

// appendDetails appends the members of DetailsJSON, each after a comma.
func appendDetails(b []byte, d Details, jid string) []byte {
	b = appendNonEmpty(b, "name", d.Name)
	if d.AvatarID != "" {
		b = appendNonEmpty(b, "avatar", AvatarURL(jid, d.AvatarID))
	}
	b = appendStrings(b, "devices", d.Devices)
	if !d.IdleSince.IsZero() {
		b = appendKey(b, ',', "idle_since")
		b = appendTime(b, d.IdleSince)
	}
	if t := d.Tune; t != nil {
		b = appendKey(b, ',', "tune")
		n := len(b)
		b = appendNonEmpty(b, "artist", t.Artist)
		b = appendNonEmpty(b, "title", t.Title)
		b = appendNonEmpty(b, "source", t.Source)
		b = appendNonEmpty(b, "track", t.Track)
		if t.Length != 0 {
			b = appendKey(b, ',', "length")
			b = strconv.AppendInt(b, int64(t.Length), 10)
		}
		b = appendNonEmpty(b, "uri", t.URI)
		b = closeObject(b, n)
	}
	if m := d.Mood; m != nil {
		b = appendKey(b, ',', "mood")
		n := len(b)
		b = appendNonEmpty(b, "value", m.Value)
		b = appendNonEmpty(b, "text", m.Text)
		b = closeObject(b, n)
	}
	if a := d.Activity; a != nil {
		b = appendKey(b, ',', "activity")
		n := len(b)
		b = appendNonEmpty(b, "general", a.General)
		b = appendNonEmpty(b, "specific", a.Specific)
		b = appendNonEmpty(b, "text", a.Text)
		b = closeObject(b, n)
	}
	return b
}

// closeObject ends an object whose members, each written after a comma,
// begin at b[n:]: the first comma becomes the opening brace.
func closeObject(b []byte, n int) []byte {
	if len(b) == n {
		return append(b, '{', '}')
	}
	b[n] = '{'
	return append(b, '}')
}

// appendKey appends sep and the quoted key and colon; keys are plain ASCII.
func appendKey(b []byte, sep byte, key string) []byte {
	b = append(b, sep, '"')
	b = append(b, key...)
	return append(b, '"', ':')
}

// appendNonEmpty appends ,"key":"v" unless v is empty (omitempty).
func appendNonEmpty(b []byte, key, v string) []byte {
	if v == "" {
		return b
	}
	return appendString(appendKey(b, ',', key), v)
}

// appendTime appends what timePtr and json.Marshal make of t: null for
// the zero time, else the UTC second in RFC 3339.
func appendTime(b []byte, t time.Time) []byte {
	tp := timePtr(t)
	if tp == nil {
		return append(b, "null"...)
	}
	b = append(b, '"')
	b = tp.AppendFormat(b, time.RFC3339)
	return append(b, '"')
}

// appendString appends s quoted as json.Marshal quotes it: HTML-safe (<,
// > and & escaped), U+2028 and U+2029 escaped, invalid UTF-8 replaced by
// U+FFFD.
func appendString(b []byte, s string) []byte {
	const hex = "0123456789abcdef"
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= ' ' && c != '"' && c != '\\' && c != '<' && c != '>' && c != '&' {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\b':
				b = append(b, '\\', 'b')
			case '\f':
				b = append(b, '\\', 'f')
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xF])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
		case r == '\u2028' || r == '\u2029':
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hex[r&0xF])
		default:
			i += size
			continue
		}
		i += size
		start = i
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}

// UnmarshalJSON decodes the form MarshalJSON writes (used by clients and tests).
func (p *Presence) UnmarshalJSON(b []byte) error {
	var w presenceJSON
	if err := json.Unmarshal(b, &w); err != nil {
		return err
	}
	*p = Presence{JID: w.JID, Status: w.Status, Message: w.Message, Sources: w.Sources, Details: w.details()}
	if w.Since != nil {
		p.Since = *w.Since
	}
	if w.LastSeen != nil {
		p.LastSeen = *w.LastSeen
	}
	return nil
}

type roomJSON struct {
	Room      string `json:"room"`
	Occupants int    `json:"occupants"`
}

// MarshalJSON encodes the room as docs/API.md#json shows it.
func (r Room) MarshalJSON() ([]byte, error) {
	return json.Marshal(roomJSON{Room: r.Room, Occupants: r.Occupants})
}

// UnmarshalJSON decodes the form MarshalJSON writes.
func (r *Room) UnmarshalJSON(b []byte) error {
	var w roomJSON
	if err := json.Unmarshal(b, &w); err != nil {
		return err
	}
	*r = Room{Room: w.Room, Occupants: w.Occupants}
	return nil
}
