package presence

import (
	"encoding/json"
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
	return json.Marshal(presenceJSON{
		JID: p.JID, Status: p.Status, State: p.Status.State(), Message: p.Message,
		Since: timePtr(p.Since), LastSeen: timePtr(p.LastSeen), Sources: src,
	})
}

// UnmarshalJSON decodes the form MarshalJSON writes (used by clients and tests).
func (p *Presence) UnmarshalJSON(b []byte) error {
	var w presenceJSON
	if err := json.Unmarshal(b, &w); err != nil {
		return err
	}
	*p = Presence{JID: w.JID, Status: w.Status, Message: w.Message, Sources: w.Sources}
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
