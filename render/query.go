package render

import (
	"errors"
	"net/url"
	"strconv"
	"strings"

	"badges/presence"
)

// ParseQuery reads badge and icon options from a request's query
// (docs/API.md#badges-and-images). It never fails: a value it cannot use is ignored and the
// default stays, so a badge URL with a typo still shows a badge. Unknown
// parameters are ignored; of a repeated parameter the first value counts.
//
//   - style: flat (default), flat-square, plastic, for-the-badge, social;
//     anything else is flat.
//   - label: replaces the default label; present but empty means message only.
//   - message: status (default), text, tune (now playing) or seen (last
//     seen while offline).
//   - color, labelColor: see ParseColor. Per status: available=, chat=,
//     away=, xa=, dnd=, offline=, unknown= (e.g. dnd=purple).
//   - logo: xmpp shows the mark; anything else none.
//   - scale (PNG only): 1 to 3; larger values are clamped to 3, smaller or
//     unreadable ones give 1. SVG always uses 1: it scales by itself.
//   - size (icons): 16 to 128 pixels, clamped; unreadable gives 16.
func ParseQuery(q url.Values, f Format) Options {
	o := Options{
		Style: parseStyle(q.Get("style")),
		Scale: 1,
		Size:  MinIconSize,
	}
	if v, ok := q["label"]; ok && len(v) > 0 {
		o.Label, o.HasLabel = cleanText(v[0]), true
	}
	switch q.Get("message") {
	case "text":
		o.Message = MessageText
	case "tune":
		o.Message = MessageTune
	case "seen":
		o.Message = MessageSeen
	}
	o.Color, _ = ParseColor(q.Get("color"))
	o.LabelColor, _ = ParseColor(q.Get("labelColor"))
	for _, s := range presence.Statuses {
		if c, ok := ParseColor(q.Get(string(s))); ok {
			if o.StatusColors == nil {
				o.StatusColors = make(map[presence.Status]Color, 1)
			}
			o.StatusColors[s] = c
		}
	}
	o.Logo = strings.EqualFold(q.Get("logo"), "xmpp")
	if f == PNG {
		o.Scale = clampInt(q.Get("scale"), MinScale, MaxScale)
	}
	o.Size = clampInt(q.Get("size"), MinIconSize, MaxIconSize)
	return o
}

func parseStyle(s string) Style {
	st := Style(strings.ToLower(s))
	for _, known := range Styles {
		if st == known {
			return st
		}
	}
	return Flat
}

// clampInt reads a decimal integer and clamps it to [lo, hi]; unreadable
// input gives lo, a number too large to read gives hi.
func clampInt(s string, lo, hi int) int {
	if s == "" { // absent: no parse error to allocate
		return lo
	}
	n, err := strconv.Atoi(s)
	if err != nil {
		if errors.Is(err, strconv.ErrRange) && !strings.HasPrefix(s, "-") {
			return hi
		}
		return lo
	}
	return min(max(n, lo), hi)
}
