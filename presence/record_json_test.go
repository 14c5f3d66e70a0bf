package presence

import (
	"encoding/json"
	"testing"
	"time"
)

// FuzzRecordJSON: Record.AppendJSON writes what json.Marshal writes, for
// any text, any set of fields and any time, and fails where it fails.
func FuzzRecordJSON(f *testing.F) {
	f.Add("alice@example.com", "away", "lunch <&>", "Alice", "pc", "\u2028\xff", int64(1795000000), int64(999), 3600, uint16(0xffff), uint16(5))
	f.Add("", "", "", "", "", "", int64(0), int64(0), 0, uint16(0), uint16(0))
	f.Add("b@example.com", "dnd", "\"\\\b\f\n\r\t\x00\x7f", "", "", "", int64(-62135596801), int64(1), -7, uint16(0x2a), uint16(0x1ff))
	f.Add("c@example.com", "xa", "", "", "", "", int64(253402300800), int64(5), 61, uint16(0x11), uint16(0x100))
	f.Fuzz(func(t *testing.T, jid, status, text1, text2, text3, text4 string, unix, nanos int64, offset int, set, hidden uint16) {
		at := time.Unix(unix, nanos%1e9).In(time.FixedZone("z", offset))
		if set&0x400 != 0 {
			at = at.UTC()
		}
		r := Record{JID: jid, Subscribed: set&1 != 0, OptedOut: set&2 != 0, HideMessage: set&4 != 0,
			Hidden: FieldSet(hidden)}
		if set&8 != 0 {
			r.LastSeen = at
		}
		if set&16 != 0 {
			r.HTTP = &HTTPState{Status: Status(status), Message: text1, Changed: at, Expires: at.Add(time.Hour)}
		}
		if set&32 != 0 {
			r.HTTP = &HTTPState{Status: Status(status)} // zero times encode too
		}
		if set&64 != 0 {
			r.XMPP = &SourceState{Status: Status(text2), Message: text3}
			if set&128 != 0 {
				r.XMPP.Changed = at
			}
		}
		if set&256 != 0 {
			r.Details = &Details{Name: text2, AvatarID: text3, Devices: []string{text4, text1}, IdleSince: at}
		}
		if set&512 != 0 {
			if r.Details == nil {
				r.Details = &Details{}
			}
			r.Details.Tune = &Tune{Artist: text1, Title: text2, Source: text3, Track: text4, URI: jid, Length: offset}
			r.Details.Mood = &Mood{Value: text1, Text: text2}
			r.Details.Activity = &Activity{General: text3, Specific: text4, Text: text1}
		}
		if set&0x800 != 0 {
			r.Groups = []string{text1, text4}
		}
		want, wantErr := json.Marshal(r)
		got, err := r.AppendJSON(nil)
		if (err != nil) != (wantErr != nil) || err == nil && string(got) != string(want) {
			t.Fatalf("AppendJSON %s, %v\nwant       %s, %v", got, err, want, wantErr)
		}
	})
}
