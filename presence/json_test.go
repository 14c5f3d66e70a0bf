package presence

import (
	"encoding/json"
	"reflect"
	"testing"
	"time"
)

// unknownJSON is the body of every JID nobody may see (docs/API.md#presence-model).
const unknownJSON = `{"jid":"bob@example.com","status":"unknown","state":"unavailable","since":null,"last_seen":null,"sources":{}}`

func TestPresenceJSON(t *testing.T) {
	at := time.Date(2026, 11, 21, 11, 0, 0, 999, time.FixedZone("CET", 3600))
	tests := []struct {
		name string
		p    Presence
		want string
	}{
		{
			name: "docs/API.md#json example",
			p: Presence{JID: "alice@example.com", Status: DND, Message: "In a meeting", Since: at,
				Sources: map[Source]Status{SourceXMPP: DND}},
			want: `{"jid":"alice@example.com","status":"dnd","state":"busy","message":"In a meeting","since":"2026-11-21T10:00:00Z","last_seen":null,"sources":{"xmpp":"dnd"}}`,
		},
		{
			name: "unknown JID",
			p:    UnknownPresence("bob@example.com"),
			want: unknownJSON,
		},
		{
			name: "unknown with an empty source map",
			p:    Presence{JID: "bob@example.com", Status: Unknown, Sources: map[Source]Status{}},
			want: unknownJSON,
		},
		{
			name: "offline with last_seen, sources in key order",
			p: Presence{JID: "carol@example.com", Status: Offline, Since: at, LastSeen: at,
				Sources: map[Source]Status{SourceXMPP: Offline, SourceHTTP: Offline}},
			want: `{"jid":"carol@example.com","status":"offline","state":"unavailable","since":"2026-11-21T10:00:00Z","last_seen":"2026-11-21T10:00:00Z","sources":{"http":"offline","xmpp":"offline"}}`,
		},
		{
			name: "message escaped",
			p:    Presence{JID: "d@example.com", Status: Away, Message: `<b>"hi"</b> & bye`, Sources: map[Source]Status{SourceHTTP: Away}},
			want: `{"jid":"d@example.com","status":"away","state":"away","message":"\u003cb\u003e\"hi\"\u003c/b\u003e \u0026 bye","since":null,"last_seen":null,"sources":{"http":"away"}}`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := NewPresenceEntry(tt.p)
			if string(e.JSON) != tt.want {
				t.Errorf("JSON\n got %s\nwant %s", e.JSON, tt.want)
			}
			if want := `{"type":"presence","presence":` + tt.want + `}`; string(e.Frame) != want {
				t.Errorf("Frame\n got %s\nwant %s", e.Frame, want)
			}
			if e.ETag != ETag([]byte(tt.want)) || e.Topic != JIDTopic(tt.p.JID) {
				t.Errorf("ETag %s, Topic %v", e.ETag, e.Topic)
			}
			var back Presence
			if err := json.Unmarshal(e.JSON, &back); err != nil {
				t.Fatal(err)
			}
			if again, _ := json.Marshal(back); string(again) != tt.want {
				t.Errorf("round trip\n got %s\nwant %s", again, tt.want)
			}
		})
	}
}

func TestRoomJSON(t *testing.T) {
	e := NewRoomEntry(Room{Room: "chat@rooms.example.com", Occupants: 12})
	const want = `{"room":"chat@rooms.example.com","occupants":12}`
	if string(e.JSON) != want || string(e.Frame) != `{"type":"room","room":`+want+`}` {
		t.Errorf("JSON %s, Frame %s", e.JSON, e.Frame)
	}
	if e.Topic != RoomTopic("chat@rooms.example.com") || e.ETag != ETag([]byte(want)) {
		t.Errorf("Topic %v, ETag %s", e.Topic, e.ETag)
	}
	var back Room
	if err := json.Unmarshal(e.JSON, &back); err != nil || !reflect.DeepEqual(back, e.Room) {
		t.Errorf("round trip: %+v, %v", back, err)
	}
}

func TestETag(t *testing.T) {
	a, b := ETag([]byte("a")), ETag([]byte("b"))
	if a == b || a != ETag([]byte("a")) {
		t.Errorf("ETag must change exactly when the bytes do: %s %s", a, b)
	}
	// A strong validator: quoted, no W/ prefix, and safe in a header.
	if len(a) < 3 || a[0] != '"' || a[len(a)-1] != '"' {
		t.Errorf("ETag %s is not a quoted strong tag", a)
	}
	for _, c := range a[1 : len(a)-1] {
		if c == '"' || c <= ' ' || c > '~' {
			t.Errorf("ETag %s holds %q", a, c)
		}
	}
}

// TestEntryJSONIsMarshal: an entry's JSON is exactly what json.Marshal
// gives, HTML escaping included, which NewPresenceEntry and NewRoomEntry
// skip calling.
func TestEntryJSONIsMarshal(t *testing.T) {
	at := time.Date(2026, 11, 21, 10, 0, 0, 5, time.FixedZone("x", 3600))
	for _, p := range []Presence{
		UnknownPresence("a@example.com"),
		{JID: "b@example.com", Status: DND, Message: `<script>"&'</script> ü \u2028`, Since: at, LastSeen: at,
			Sources: map[Source]Status{SourceHTTP: DND, SourceXMPP: Offline}},
	} {
		want, err := json.Marshal(p)
		if err != nil {
			t.Fatal(err)
		}
		if got := NewPresenceEntry(p).JSON; string(got) != string(want) {
			t.Errorf("entry %s\nwant  %s", got, want)
		}
	}
	r := Room{Room: "<r>&@rooms.example.com", Occupants: 3}
	want, _ := json.Marshal(r)
	if got := NewRoomEntry(r).JSON; string(got) != string(want) {
		t.Errorf("room entry %s\nwant %s", got, want)
	}
}

// marshalReflect is the encoding MarshalJSON must equal, byte for byte:
// json.Marshal of the wire struct.
func marshalReflect(p Presence) ([]byte, error) {
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

// FuzzPresenceJSON: MarshalJSON writes what json.Marshal writes, for any
// text in any field (escapes, invalid UTF-8, U+2028) and any set of
// details.
func FuzzPresenceJSON(f *testing.F) {
	f.Add("alice@example.com", "dnd", "In a meeting", "Alice", "pc", "Artist", "Title <&>", "happy \u2029", "\u2028x\xff", int64(1795000000), 240, uint8(0x3f))
	f.Add("", "", "", "", "", "", "", "", "", int64(0), 0, uint8(0))
	f.Add("b@example.com", "away", "\"\\\b\f\n\r\t\x00\x1f\x7f", "", "", "", "", "", "", int64(-1), -3, uint8(0x55))
	f.Fuzz(func(t *testing.T, jid, status, message, name, device, text1, text2, text3, text4 string,
		unix int64, length int, set uint8) {
		// Years 1 to 9999: the times badges keeps (clocks, RFC 3339 stamps).
		const first, last = -62135596800, 253402300799
		at := time.Unix(first+(unix%(last-first)+(last-first))%(last-first), 0)
		p := Presence{JID: jid, Status: Status(status), Message: message}
		if set&1 != 0 {
			p.Since, p.LastSeen = at, at.Add(-time.Hour)
		}
		if set&2 != 0 {
			p.Sources = map[Source]Status{SourceHTTP: Status(text1), Source(text2): Status(status)}
		}
		d := &p.Details
		d.Name = name
		if set&4 != 0 {
			d.AvatarID, d.Devices, d.IdleSince = text3, []string{device, text4}, at
		}
		if set&8 != 0 {
			d.Tune = &Tune{Artist: text1, Title: text2, Source: text3, Track: text4, Length: length, URI: message}
		}
		if set&16 != 0 {
			d.Mood = &Mood{Value: text3, Text: text4}
		}
		if set&32 != 0 {
			d.Activity = &Activity{General: text1, Specific: text2, Text: text3}
		}
		if set&64 != 0 {
			d.Tune, d.Mood, d.Activity = &Tune{}, &Mood{}, &Activity{} // present and empty: {}
		}
		want, err := marshalReflect(p)
		if err != nil {
			t.Fatal(err)
		}
		got, err := p.MarshalJSON()
		if err != nil || string(got) != string(want) {
			t.Fatalf("MarshalJSON %s, %v\nwant        %s", got, err, want)
		}
	})
}
