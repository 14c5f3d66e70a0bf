package render

import (
	"strconv"
	"strings"
	"time"
)

// The words of rich presence, shared by the profile card and the badges'
// message=tune and message=seen (docs/API.md#rich-presence). Relative times
// are worded at answer time, so an image that says "3 hours ago" changes,
// and its ETag with it, when the words do.

// Tune is what someone is listening to (XEP-0118).
type Tune struct {
	Artist, Title, Source string
}

// Mood is a XEP-0107 mood: a value such as "happy" and an optional text.
type Mood struct {
	Value, Text string
}

// Activity is a XEP-0108 activity: "working", "coding", and a text.
type Activity struct {
	General, Specific, Text string
}

// TuneText words a tune as "Artist – Title"; either part alone when the
// other is unknown; "" when the tune is empty.
func TuneText(t Tune) string {
	a, ti := strings.TrimSpace(t.Artist), strings.TrimSpace(t.Title)
	switch {
	case a != "" && ti != "":
		return a + " – " + ti
	case ti != "":
		return ti
	case a != "":
		return a
	}
	return strings.TrimSpace(t.Source)
}

// MoodText words a mood ("happy: text"), else an activity ("working,
// coding: text"); "" when neither is set.
func MoodText(m Mood, a Activity) string {
	if v := protocolWord(m.Value); v != "" {
		return withText(v, m.Text)
	}
	v := protocolWord(a.General)
	if v == "" {
		return ""
	}
	if s := protocolWord(a.Specific); s != "" && s != "other" {
		v += ", " + s
	}
	return withText(v, a.Text)
}

// protocolWord turns an XML element name such as "in_love" or
// "having_appointment" into words.
func protocolWord(s string) string {
	return strings.TrimSpace(strings.ReplaceAll(s, "_", " "))
}

func withText(word, text string) string {
	if text = strings.TrimSpace(text); text != "" {
		return word + ": " + text
	}
	return word
}

// DevicesText words the devices someone is online on: "on pc, phone".
func DevicesText(devices []string) string {
	if len(devices) == 0 {
		return ""
	}
	return "on " + strings.Join(devices, ", ")
}

// IdleText says how long someone online has been idle: "idle for 5
// minutes"; "" when idleSince is zero or not in the past.
func IdleText(idleSince, now time.Time) string {
	if idleSince.IsZero() || !idleSince.Before(now) {
		return ""
	}
	return "idle for " + longDuration(now.Sub(idleSince))
}

// SeenText says when someone offline was last seen: "last seen 3 hours
// ago", or "last seen just now"; "" when lastSeen is zero.
func SeenText(lastSeen, now time.Time) string { return seen(lastSeen, now, longDuration) }

// SeenShort is SeenText for a badge: "last seen 3h ago".
func SeenShort(lastSeen, now time.Time) string { return seen(lastSeen, now, shortDuration) }

func seen(lastSeen, now time.Time, words func(time.Duration) string) string {
	if lastSeen.IsZero() {
		return ""
	}
	d := now.Sub(lastSeen)
	if d < time.Minute {
		return "last seen just now"
	}
	return "last seen " + words(d) + " ago"
}

// shortUnits abbreviates the units of durationUnits.
var shortUnits = map[string]string{"minute": "m", "hour": "h", "day": "d", "month": "mo", "year": "y"}

// shortDuration words d, a minute or more, with its largest whole unit
// abbreviated: "5m", "3h".
func shortDuration(d time.Duration) string {
	n, unit := durationUnits(d)
	return strconv.Itoa(n) + shortUnits[unit]
}

// longDuration words d with its largest whole unit: "5 minutes", "1 hour";
// under a minute, "less than a minute".
func longDuration(d time.Duration) string {
	if d < time.Minute {
		return "less than a minute"
	}
	n, unit := durationUnits(d)
	if n != 1 {
		unit += "s"
	}
	return strconv.Itoa(n) + " " + unit
}

// durationUnits splits d (at least a minute) into a count of its largest
// whole unit. A month is 30 days, a year 365: these are words, not dates.
func durationUnits(d time.Duration) (int, string) {
	const day = 24 * time.Hour
	switch {
	case d < time.Hour:
		return int(d / time.Minute), "minute"
	case d < day:
		return int(d / time.Hour), "hour"
	case d < 30*day:
		return int(d / day), "day"
	case d < 365*day:
		return int(d / (30 * day)), "month"
	}
	return int(d / (365 * day)), "year"
}
