package render

import (
	"strconv"

	"badges/idn"
	"badges/presence"
)

// Description is what a badge says of a JID or a room: its label, its
// message and the message's colour. Every form a badge takes (SVG and PNG
// images, shields' endpoint JSON, the pages' cards, Openfire's text) takes
// its words and colour from Describe, so that they cannot disagree
// (docs/API.md#badges-and-images).
type Description struct {
	Label   string
	Message string
	// Color is the message's colour. ColorName is shields' name for it
	// when the status (or a room's occupancy) picked it, "" when the query
	// did.
	Color     Color
	ColorName string
	// Status is the status the badge stands for; a room stands for
	// available while anyone is there and offline when nobody is.
	Status presence.Status
}

// Describe says what the badge of e looks like under o. Texts are as they
// come: drawing cleans them (newSpec), JSON and HTML escape them.
func Describe(e *presence.Entry, o Options) Description {
	if e.Topic.Kind == presence.KindRoom {
		return describeRoom(e.Room, o)
	}
	return describePresence(e.Presence, o, StatusWord)
}

// describePresence: label the JID, message the status's word (from words)
// or, with MessageText, the status text when there is one, with
// MessageTune what is playing, with MessageSeen "last seen 3h ago" while
// offline; colour the
// query's per-status colour, else its color=, else the status's.
func describePresence(p presence.Presence, o Options, words func(presence.Status) string) Description {
	d := Description{Label: o.label(idn.JID(p.JID)), Message: words(p.Status), Status: p.Status}
	switch o.Message {
	case MessageText:
		if p.Message != "" {
			d.Message = p.Message
		}
	case MessageTune:
		if tune := TuneText(tuneOf(p.Details.Tune)); tune != "" {
			d.Message = tune
		}
	case MessageSeen:
		// Worded at o.Now, the answer time (docs/API.md#rich-presence).
		if p.Status == presence.Offline && !o.Now.IsZero() {
			if seen := SeenShort(p.LastSeen, o.Now); seen != "" {
				d.Message = seen
			}
		}
	}
	d.Color, d.ColorName = o.statusColor(p.Status)
	return d
}

// statusColor is the message colour of status s under o, and shields' name
// for it when the status picked it. A per-status colour wins over color=,
// being the more specific of the two.
func (o Options) statusColor(s presence.Status) (c Color, name string) {
	if c := o.StatusColors[s]; !c.IsZero() {
		return c, ""
	}
	if !o.Color.IsZero() {
		return o.Color, ""
	}
	name = StatusColorName(s)
	return mustColor(name), name
}

// describeRoom: label the room's local part, message "N online", colour
// brightgreen while anyone is there and lightgrey when nobody is, unless
// the query's color= says otherwise.
func describeRoom(r presence.Room, o Options) Description {
	label := presence.Local(r.Room)
	if label == "" {
		label = idn.JID(r.Room)
	}
	n := max(r.Occupants, 0)
	return countDescription(o.label(label), strconv.Itoa(n)+" online", n, o)
}

// countDescription is the badge of a count of people online (a room's, a
// group's): the status of available while n is above 0 and of offline at
// 0, coloured by that status unless the query's color= says otherwise.
func countDescription(label, message string, n int, o Options) Description {
	d := Description{Label: label, Message: message, Status: presence.Available}
	if n == 0 {
		d.Status = presence.Offline
	}
	if !o.Color.IsZero() {
		d.Color = o.Color
	} else {
		d.ColorName = StatusColorName(d.Status)
		d.Color = mustColor(d.ColorName)
	}
	return d
}

// ShieldsColor is the colour as shields' endpoint schema takes it: the
// name when the status picked it, else the hex form.
func (d Description) ShieldsColor() string {
	if d.ColorName != "" {
		return d.ColorName
	}
	return d.Color.String()
}

// StatusWord is the badge word of a status (docs/API.md#presence-model).
func StatusWord(s presence.Status) string {
	switch s {
	case presence.Available:
		return "online"
	case presence.Chat:
		return "free to chat"
	case presence.Away:
		return "away"
	case presence.XA:
		return "extended away"
	case presence.DND:
		return "do not disturb"
	case presence.Offline:
		return "offline"
	}
	return "unknown"
}

// StatusColorName is shields' colour name of a status.
func StatusColorName(s presence.Status) string {
	switch s {
	case presence.Available, presence.Chat:
		return "brightgreen"
	case presence.Away:
		return "yellow"
	case presence.XA:
		return "orange"
	case presence.DND:
		return "red"
	}
	return "lightgrey"
}
