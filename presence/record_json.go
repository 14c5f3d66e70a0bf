package presence

import (
	"encoding/json"
	"strconv"
	"time"
)

// AppendJSON appends what json.Marshal(r) gives, the form stores keep
// (store, cluster), written without reflection: every acknowledged write
// encodes its record (FuzzRecordJSON holds the two byte-identical). A time
// json.Marshal refuses (a year outside 0 to 9999) fails as it fails there.
func (r Record) AppendJSON(b []byte) ([]byte, error) {
	if !r.jsonTimesPlain() {
		v, err := json.Marshal(r) // its error, word for word
		return append(b, v...), err
	}
	b = appendKey(b, '{', "jid")
	b = appendString(b, r.JID)
	b = appendTrue(b, "subscribed", r.Subscribed)
	b = appendTrue(b, "opted_out", r.OptedOut)
	b = appendTrue(b, "hide_message", r.HideMessage)
	if r.Hidden != 0 {
		b = appendKey(b, ',', "hidden")
		sep := byte('[')
		for _, f := range r.Hidden.Fields() {
			b = appendString(append(b, sep), f.String())
			sep = ','
		}
		if sep == '[' {
			b = append(b, '[')
		}
		b = append(b, ']')
	}
	if !r.LastSeen.IsZero() {
		b = appendStamp(appendKey(b, ',', "last_seen"), r.LastSeen)
	}
	if h := r.HTTP; h != nil {
		b = appendKey(b, ',', "http")
		b = appendKey(b, '{', "status")
		b = appendString(b, string(h.Status))
		b = appendNonEmpty(b, "message", h.Message)
		b = appendStamp(appendKey(b, ',', "changed"), h.Changed)
		b = appendStamp(appendKey(b, ',', "expires"), h.Expires)
		b = append(b, '}')
	}
	if x := r.XMPP; x != nil {
		b = appendKey(b, ',', "xmpp")
		b = appendKey(b, '{', "status")
		b = appendString(b, string(x.Status))
		b = appendNonEmpty(b, "message", x.Message)
		if !x.Changed.IsZero() {
			b = appendStamp(appendKey(b, ',', "changed"), x.Changed)
		}
		b = append(b, '}')
	}
	if d := r.Details; d != nil {
		b = appendKey(b, ',', "details")
		n := len(b)
		b = appendNonEmpty(b, "name", d.Name)
		b = appendNonEmpty(b, "avatar", d.AvatarID)
		b = appendStrings(b, "devices", d.Devices)
		if !d.IdleSince.IsZero() {
			b = appendStamp(appendKey(b, ',', "idle_since"), d.IdleSince)
		}
		if t := d.Tune; t != nil {
			b = appendKey(b, ',', "tune")
			b = appendString(appendKey(b, '{', "Artist"), t.Artist)
			b = appendString(appendKey(b, ',', "Title"), t.Title)
			b = appendString(appendKey(b, ',', "Source"), t.Source)
			b = appendString(appendKey(b, ',', "Track"), t.Track)
			b = appendString(appendKey(b, ',', "URI"), t.URI)
			b = strconv.AppendInt(appendKey(b, ',', "Length"), int64(t.Length), 10)
			b = append(b, '}')
		}
		if m := d.Mood; m != nil {
			b = appendKey(b, ',', "mood")
			b = appendString(appendKey(b, '{', "Value"), m.Value)
			b = appendString(appendKey(b, ',', "Text"), m.Text)
			b = append(b, '}')
		}
		if a := d.Activity; a != nil {
			b = appendKey(b, ',', "activity")
			b = appendString(appendKey(b, '{', "General"), a.General)
			b = appendString(appendKey(b, ',', "Specific"), a.Specific)
			b = appendString(appendKey(b, ',', "Text"), a.Text)
			b = append(b, '}')
		}
		b = closeObject(b, n)
	}
	b = appendStrings(b, "groups", r.Groups)
	return append(b, '}'), nil
}

// jsonTimesPlain: every time r encodes is one appendStamp writes as
// time.Time.MarshalJSON does: a year from 0 to 9999 and a whole-minute
// offset.
func (r Record) jsonTimesPlain() bool {
	plain := func(t time.Time) bool {
		_, off := t.Zone()
		return t.Year() >= 0 && t.Year() <= 9999 && off%60 == 0
	}
	if !plain(r.LastSeen) {
		return false
	}
	if h := r.HTTP; h != nil && (!plain(h.Changed) || !plain(h.Expires)) {
		return false
	}
	if x := r.XMPP; x != nil && !plain(x.Changed) {
		return false
	}
	return r.Details == nil || plain(r.Details.IdleSince)
}

// appendStamp appends t as time.Time.MarshalJSON writes it: RFC 3339 with
// as many fractional digits as it needs, in t's own offset.
func appendStamp(b []byte, t time.Time) []byte {
	b = append(b, '"')
	b = t.AppendFormat(b, time.RFC3339Nano)
	return append(b, '"')
}

// appendTrue appends ,"key":true when v is set (omitempty).
func appendTrue(b []byte, key string, v bool) []byte {
	if !v {
		return b
	}
	return append(appendKey(b, ',', key), "true"...)
}

// appendStrings appends ,"key":[...] unless vs is empty (omitempty).
func appendStrings(b []byte, key string, vs []string) []byte {
	if len(vs) == 0 {
		return b
	}
	b = appendKey(b, ',', key)
	sep := byte('[')
	for _, v := range vs {
		b = appendString(append(b, sep), v)
		sep = ','
	}
	return append(b, ']')
}
