package presence

import (
	"slices"
	"time"
)

// Details is the rich presence of a JID: what its XMPP client tells its
// contacts beyond the status (docs/API.md#rich-presence). A zero member is
// unknown, not shared or hidden, and is left out of every output.
type Details struct {
	Name string
	// AvatarID names the current picture; it changes with the picture.
	// The picture itself is served by /avatar/{jid}.png.
	AvatarID string
	// Devices are the sorted distinct client types (XEP-0115 identities,
	// "pc", "phone") of the online resources.
	Devices   []string
	IdleSince time.Time
	Tune      *Tune
	Mood      *Mood
	Activity  *Activity
}

// IsZero reports whether d holds nothing.
func (d Details) IsZero() bool {
	return d.Name == "" && d.AvatarID == "" && len(d.Devices) == 0 && d.IdleSince.IsZero() &&
		d.Tune == nil && d.Mood == nil && d.Activity == nil
}

// Equal reports whether d and o hold the same details.
func (d Details) Equal(o Details) bool {
	return d.Name == o.Name && d.AvatarID == o.AvatarID && slices.Equal(d.Devices, o.Devices) &&
		d.IdleSince.Equal(o.IdleSince) && ptrEqual(d.Tune, o.Tune) && ptrEqual(d.Mood, o.Mood) &&
		ptrEqual(d.Activity, o.Activity)
}

func ptrEqual[T comparable](a, b *T) bool {
	return a == b || a != nil && b != nil && *a == *b
}

// Tune is what the user listens to (XEP-0118 User Tune).
type Tune struct {
	Artist, Title, Source, Track, URI string
	Length                            int // seconds; zero when unknown
}

// Mood is the user's mood (XEP-0107 User Mood): Value is one of the
// XEP's names ("happy"), Text the user's own words.
type Mood struct {
	Value, Text string
}

// Activity is what the user is doing (XEP-0108 User Activity): General
// and Specific are the XEP's names ("working", "coding").
type Activity struct {
	General, Specific, Text string
}

// Profile is what a contact publishes of itself apart from its resources:
// its PEP items and its vCard, as the watcher last received them. The
// Directory derives Details from it and from the resources.
type Profile struct {
	Nick               string // XEP-0172 User Nickname
	VCardNick, VCardFN string // XEP-0054 NICKNAME and FN
	PEPAvatar          string // id of the XEP-0084 picture, fetched and decoded
	VCardAvatar        string // id of the XEP-0153 vCard photo, fetched and decoded
	Tune               *Tune
	Mood               *Mood
	Activity           *Activity
}

// name picks the name to show: PEP nick, else vCard NICKNAME, else FN.
func (p *Profile) name() string {
	for _, s := range []string{p.Nick, p.VCardNick, p.VCardFN} {
		if s = CleanMessage(s); s != "" {
			return s
		}
	}
	return ""
}

// avatar picks the picture to show: PEP, else vCard.
func (p *Profile) avatar() string {
	if p.PEPAvatar != "" {
		return p.PEPAvatar
	}
	return p.VCardAvatar
}
