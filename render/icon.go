package render

import (
	"image"
	"strconv"

	"github.com/fogleman/gg"

	"badges/presence"
)

// A status icon is a dot in a 16-unit square, scaled to the size asked
// for. Colour alone does not carry the status: free to chat holds a speech
// bubble, do not disturb a bar, offline is hollow, and forbidden (Openfire's
// image for a hidden JID) is struck through.

// iconMark is the symbol drawn on the dot.
type iconMark uint8

const (
	markNone iconMark = iota
	markBubble
	markBar
	markHollow
	markStrike
)

// iconSpec is everything that shapes an icon; it keys the cache.
type iconSpec struct {
	color Color
	mark  iconMark
	word  string // what a screen reader says
	size  int
}

// Icon renders the status dot of s, o.Size pixels square, coloured as a
// badge of that status would be (per-status colours and color apply).
func Icon(s presence.Status, o Options, f Format) Image {
	return iconSpecFor(s, o).draw(f)
}

func iconSpecFor(s presence.Status, o Options) iconSpec {
	c, _ := o.statusColor(s)
	return iconSpec{color: c, mark: statusMark(s), word: StatusWord(s), size: o.size()}
}

func statusMark(s presence.Status) iconMark {
	switch s {
	case presence.Chat:
		return markBubble
	case presence.DND:
		return markBar
	case presence.Offline:
		return markHollow
	}
	return markNone
}

func (ic iconSpec) draw(f Format) Image {
	if f == PNG {
		return newImage(ic.png(), f)
	}
	return newImage(ic.svg(), f)
}

// The dot's geometry in icon units.
const (
	iconUnits  = 16
	iconCenter = 8
	iconRadius = 7
)

func (ic iconSpec) svg() []byte {
	w := &svgWriter{b: make([]byte, 0, 768)}
	size := strconv.Itoa(ic.size)
	w.raw(`<svg xmlns="http://www.w3.org/2000/svg" width="` + size + `" height="` + size +
		`" viewBox="0 0 16 16" role="img" aria-label="`)
	w.esc(ic.word)
	w.raw(`"><title>`)
	w.esc(ic.word)
	w.raw(`</title><linearGradient id="h" x2="0" y2="100%"><stop offset="0" stop-color="#fff" stop-opacity=".3"/><stop offset=".6" stop-color="#fff" stop-opacity="0"/></linearGradient><circle cx="8" cy="8" r="7" fill="`)
	w.raw(ic.color.String())
	w.raw(`"/><circle cx="8" cy="8" r="7" fill="url(#h)"/><circle cx="8" cy="8" r="6.5" fill="none" stroke="#000" stroke-opacity=".2"/>`)
	switch ic.mark {
	case markBubble:
		w.raw(`<path transform="translate(4.15 3.875) scale(.55)" fill="#fff" d="` + markPathData + `"/>`)
	case markBar:
		w.raw(`<rect x="4" y="7" width="8" height="2" rx="1" fill="#fff"/>`)
	case markHollow:
		w.raw(`<circle cx="8" cy="8" r="3.5" fill="#fff"/>`)
	case markStrike:
		w.raw(`<path d="M4.75 11.25L11.25 4.75" stroke="#fff" stroke-width="2" stroke-linecap="round"/>`)
	}
	w.raw(`</svg>`)
	return w.b
}

func (ic iconSpec) png() []byte {
	k := float64(ic.size) / iconUnits
	dc := gg.NewContext(ic.size, ic.size)
	dc.Scale(k, k)
	dc.DrawCircle(iconCenter, iconCenter, iconRadius)
	dc.SetColor(ic.color.nrgba(1))
	dc.Fill()
	// The dot is alone on the canvas, so the highlight lands on it only.
	blendGradient(dc.Image().(*image.RGBA), (iconCenter-iconRadius)*k, (iconCenter+iconRadius)*k, iconHighlight)
	// The rim lies inside the dot, darkening its edge without a halo.
	dc.DrawCircle(iconCenter, iconCenter, iconRadius-.5)
	dc.SetColor(mustColor("#000").nrgba(.2))
	dc.SetLineWidth(k) // strokes are in device pixels
	dc.Stroke()
	dc.SetColor(whiteText.nrgba(1))
	switch ic.mark {
	case markBubble:
		// The logo's bubble at .55 of its size, centred on the dot.
		dc.Translate(4.15, 3.875)
		dc.Scale(.55, .55)
		traceMark(dc)
		dc.Fill()
	case markBar:
		dc.DrawRoundedRectangle(4, 7, 8, 2, 1)
		dc.Fill()
	case markHollow:
		dc.DrawCircle(iconCenter, iconCenter, 3.5)
		dc.Fill()
	case markStrike:
		dc.SetLineWidth(2 * k)
		dc.SetLineCapRound()
		dc.DrawLine(4.75, 11.25, 11.25, 4.75)
		dc.Stroke()
	}
	return encodePNG(dc.Image())
}
