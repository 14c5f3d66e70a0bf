package render

import (
	"time"

	"badges/presence"
)

// Style is a badge style, named as on shields.io. Heights at scale 1 are
// shields': 20 px for flat, flat-square and social, 18 for plastic and 28
// for for-the-badge.
type Style string

// The styles. The zero Style renders as Flat.
const (
	Flat        Style = "flat"
	FlatSquare  Style = "flat-square"
	Plastic     Style = "plastic"
	ForTheBadge Style = "for-the-badge"
	Social      Style = "social"
)

// Styles lists every style, for tables, builders and tests.
var Styles = []Style{Flat, FlatSquare, Plastic, ForTheBadge, Social}

// MessageMode says what the right-hand side of a presence badge shows.
type MessageMode uint8

// The message modes. The zero MessageMode is MessageStatus.
const (
	// MessageStatus shows the badge word of the status ("online").
	MessageStatus MessageMode = iota
	// MessageText shows the status text, else the badge word.
	MessageText
	// MessageTune shows what is playing, else the badge word.
	MessageTune
	// MessageSeen shows "last seen 3h ago" while offline, else the badge
	// word; the time counts from Options.Now.
	MessageSeen
)

// Scale and icon size bounds (docs/API.md#badges-and-images).
const (
	MinScale    = 1
	MaxScale    = 3
	MinIconSize = 16
	MaxIconSize = 128
)

// Options shape a badge or icon. The zero Options is valid: a flat badge
// with the default label and colours, at scale 1, and a 16 px icon.
// ParseQuery makes Options from a request's query.
type Options struct {
	Style Style
	// Label replaces the default label (the JID, the room's local part)
	// when HasLabel is set; an empty Label then means "message only".
	Label    string
	HasLabel bool
	Message  MessageMode
	// Color is the message colour for every status; LabelColor the label's.
	Color      Color
	LabelColor Color
	// StatusColors override the message colour per status and win over
	// Color, being the more specific of the two.
	StatusColors map[presence.Status]Color
	// Logo puts the XMPP mark left of the label.
	Logo bool
	// Scale multiplies a PNG's pixel size (1 to 3); SVG ignores it.
	Scale int
	// Size is an icon's edge in pixels (16 to 128).
	Size int
	// Now is the answer time that MessageSeen counts from; zero: the
	// badge word.
	Now time.Time
}

// style returns the style to draw, Flat for anything unknown.
func (o Options) style() Style {
	switch o.Style {
	case FlatSquare, Plastic, ForTheBadge, Social:
		return o.Style
	}
	return Flat
}

// scale returns the pixel scale for format f: always 1 for SVG, which
// scales by itself.
func (o Options) scale(f Format) int {
	if f != PNG {
		return 1
	}
	return min(max(o.Scale, MinScale), MaxScale)
}

// size returns the icon size, clamped; unset means the smallest.
func (o Options) size() int {
	return min(max(o.Size, MinIconSize), MaxIconSize)
}

// label returns the label to show: the option's when given, else def.
func (o Options) label(def string) string {
	if o.HasLabel {
		return o.Label
	}
	return def
}

// spec gathers everything that shapes a badge's pixels. It is comparable
// and, with the format and scale, keys the cache.
type spec struct {
	style      Style
	label      string
	message    string
	labelColor Color
	color      Color
	logo       bool
}

// newSpec cleans the texts and fills in defaults.
func (o Options) newSpec(label, message string, color Color) spec {
	return spec{
		style:      o.style(),
		label:      cleanText(label),
		message:    cleanText(message),
		labelColor: o.LabelColor.or(defaultLabelColor),
		color:      color,
		logo:       o.Logo,
	}
}
