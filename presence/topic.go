package presence

import (
	"crypto/sha256"
	"encoding/base64"
	"fmt"
)

// Kind tells what a topic is about.
type Kind uint8

// The kinds of topic.
const (
	KindJID Kind = iota + 1
	KindRoom
)

// Topic names one thing whose latest value the hub keeps: a bare JID or a room.
type Topic struct {
	Kind Kind
	Name string
}

// JIDTopic is the topic of a bare JID.
func JIDTopic(jid string) Topic { return Topic{KindJID, jid} }

// RoomTopic is the topic of a room.
func RoomTopic(room string) Topic { return Topic{KindRoom, room} }

func (t Topic) String() string {
	if t.Kind == KindRoom {
		return "room:" + t.Name
	}
	return "jid:" + t.Name
}

// Entry is one version of a topic's value, encoded once and shared by every
// reader. Entries are immutable once published.
type Entry struct {
	Topic Topic
	// Version grows with every value the hub publishes for the topic; the
	// default value of a topic (an unknown JID, an empty room) that the hub
	// does not hold has version 0. Compare ETags, not versions, to tell
	// whether the bytes changed.
	Version  uint64
	Presence Presence // for KindJID
	Room     Room     // for KindRoom
	// JSON is the body of the JSON API for this value (docs/API.md#json).
	JSON []byte
	// Frame is the WebSocket frame for this value (docs/API.md#live).
	Frame []byte
	// ETag is a strong validator of JSON; it changes exactly when JSON does.
	ETag string
}

// NewPresenceEntry encodes p once for every reader.
func NewPresenceEntry(p Presence) *Entry {
	// One buffer holds the frame, and the JSON is the frame's middle: what
	// json.Marshal(p) gives (MarshalJSON), without json.Marshal compacting
	// and checking it again.
	const prefix = `{"type":"presence","presence":`
	frame := append(make([]byte, 0, 256), prefix...)
	frame = append(appendPresence(frame, p), '}')
	body := frame[len(prefix) : len(frame)-1 : len(frame)-1]
	return &Entry{Topic: JIDTopic(p.JID), Presence: p, JSON: body, Frame: frame, ETag: ETag(body)}
}

// NewRoomEntry encodes r once for every reader.
func NewRoomEntry(r Room) *Entry {
	body, err := r.MarshalJSON()
	if err != nil {
		panic(fmt.Sprintf("presence: encode room %s: %v", r.Room, err))
	}
	frame := make([]byte, 0, len(body)+24)
	frame = append(frame, `{"type":"room","room":`...)
	frame = append(append(frame, body...), '}')
	return &Entry{Topic: RoomTopic(r.Room), Room: r, JSON: body, Frame: frame, ETag: ETag(body)}
}

// ETag returns a strong entity tag for body: a quoted, truncated SHA-256.
func ETag(body []byte) string {
	sum := sha256.Sum256(body)
	return `"` + base64.RawURLEncoding.EncodeToString(sum[:18]) + `"`
}
