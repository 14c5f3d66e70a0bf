package presence

import (
	"encoding/json"
	"net/url"
	"strings"
	"time"
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

// MarshalJSON encodes the presence as docs/API.md#json shows it.
func (p Presence) MarshalJSON() ([]byte, error) {
	src := p.Sources
	if src == nil {
		src = map[Source]Status{}
	}
	w := presenceJSON{
		JID: p.JID, Status: p.Status, State: p.Status.State(), Message: p.Message,
		Since: timePtr(p.Since), LastSeen: timePtr(p.LastSeen), Sources: src,
	}
	w.DetailsJSON.set(p.Details, p.JID)
	return json.Marshal(w)
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
