package render

import (
	"math"
	"strings"
)

// The layout numbers follow shields.io's conventions so that badges from
// both sit well side by side. Lengths are in CSS pixels at scale 1.
const (
	fontSize    = 11 // flat, flat-square, plastic, social
	ftbFontSize = 10 // for-the-badge

	flatHeight    = 20
	plasticHeight = 18
	ftbHeight     = 28
	socialHeight  = 20

	padding = 5  // between text and box edge (flat, flat-square, plastic)
	logoGap = 3  // between the logo and the text beside it
	logoBox = 14 // the logo's edge

	ftbPadding    = 12
	ftbLogoMargin = 9
	ftbLogoGap    = 6
	ftbSpacing    = 1.25 // letter spacing of for-the-badge capitals

	socialPadding = 6
	socialNotch   = 6 // room for the arrow between the two boxes
	socialDot     = 7 // diameter of the status dot in the message box
	socialDotGap  = 4 // between dot and message
	socialRadius  = 2 // corner radius of the boxes

	socialBorder    = "#d5d5d5"
	socialLabelFill = "#fcfcfc"
	socialBoxFill   = "#fafafa"
)

// textBox is one line of text placed on the badge.
type textBox struct {
	text    string    // as written to the SVG (capitals for for-the-badge)
	glyphs  string    // as measured and drawn in the PNG: Arabic shaped
	face    *typeface // regular or bold
	px      float64   // font size
	x       float64   // centre
	y       float64   // baseline
	width   float64   // the box the text fills: SVG textLength
	natural float64   // width before spacing; the rest is spread over gaps
	gaps    int
	fill    Color
	shadow  Color // zero: no shadow
	rtl     bool  // a right-to-left paragraph
}

// layout is a badge's geometry, shared by the SVG and PNG writers.
type layout struct {
	spec
	width, height float64
	leftWidth     float64 // the label box; 0 without a label
	label         textBox // empty text: no label
	message       textBox
	logoX, logoY  float64
	logoFill      Color   // the mark's colour; its dot takes the message colour
	dotX          float64 // social: centre of the status dot
	radius        float64
}

// newLayout measures the texts of s and places everything.
func newLayout(s spec) *layout {
	switch s.style {
	case ForTheBadge:
		return forTheBadgeLayout(s)
	case Social:
		return socialLayout(s)
	}
	return flatLayout(s)
}

// newText measures text and prepares a box for it. Widths are rounded up to
// an odd number of pixels so that, with whole-pixel padding, the centre
// falls on a half pixel and the x10 coordinates of the SVG stay integers.
func newText(text string, face *typeface, px, spacing float64) textBox {
	t := textBox{text: text, glyphs: shapeArabic(text), face: face, px: px, rtl: rtlText(text)}
	if text == "" {
		return t
	}
	t.natural, t.gaps = face.measure(t.glyphs, px)
	w := math.Ceil(t.natural + spacing*float64(t.gaps))
	if int(w)%2 == 0 {
		w++
	}
	t.width = w
	return t
}

// flatLayout serves flat, flat-square and plastic, which differ only in
// height, corners and decoration.
func flatLayout(s spec) *layout {
	l := &layout{spec: s, height: flatHeight}
	baseline := 14.0
	switch s.style {
	case Plastic:
		l.height, l.radius, baseline = plasticHeight, 4, 13
	case Flat:
		l.radius = 3
	}
	shadowed := s.style != FlatSquare
	logo := 0.0
	if s.logo {
		logo = logoBox + logoGap
	}
	l.logoY = (l.height - logoBox) / 2
	l.label = newText(s.label, regular, fontSize, 0)
	l.message = newText(s.message, regular, fontSize, 0)
	x := 0.0
	if s.label != "" {
		l.logoX = padding
		l.label.x = padding + logo + l.label.width/2
		l.leftWidth = padding + logo + l.label.width + padding
		x = l.leftWidth
		logo = 0
	} else {
		l.logoX = padding
	}
	l.message.x = x + padding + logo + l.message.width/2
	l.width = x + padding + logo + l.message.width + padding
	for _, t := range []struct {
		box *textBox
		bg  Color
	}{{&l.label, s.labelColor}, {&l.message, s.color}} {
		t.box.y = baseline
		t.box.fill, t.box.shadow = textColors(t.bg)
		if !shadowed {
			t.box.shadow = Color{}
		}
	}
	l.logoFill = l.label.fill
	if s.label == "" {
		l.logoFill = l.message.fill
	}
	return l
}

// forTheBadgeLayout: tall, capitals, letter-spaced, the message bold.
func forTheBadgeLayout(s spec) *layout {
	l := &layout{spec: s, height: ftbHeight, logoY: (ftbHeight - logoBox) / 2}
	l.label = newText(strings.ToUpper(s.label), regular, ftbFontSize, ftbSpacing)
	l.message = newText(strings.ToUpper(s.message), bold, ftbFontSize, ftbSpacing)
	start := ftbPadding
	if s.logo {
		start = ftbLogoMargin + logoBox + ftbLogoGap
	}
	x := 0.0
	if s.label != "" {
		l.logoX = ftbLogoMargin
		l.label.x = float64(start) + l.label.width/2
		l.leftWidth = float64(start) + l.label.width + ftbPadding
		x, start = l.leftWidth, ftbPadding
	} else {
		l.logoX = ftbLogoMargin
	}
	l.message.x = x + float64(start) + l.message.width/2
	l.width = x + float64(start) + l.message.width + ftbPadding
	l.label.y, l.message.y = 17.5, 17.5
	l.label.fill, _ = textColors(s.labelColor)
	l.message.fill, _ = textColors(s.color)
	l.logoFill = l.label.fill
	if s.label == "" {
		l.logoFill = l.message.fill
	}
	return l
}

// socialLayout: two light rounded boxes joined by an arrow, dark bold text,
// and a dot in the message colour, since the boxes themselves stay grey.
func socialLayout(s spec) *layout {
	l := &layout{spec: s, height: socialHeight, radius: socialRadius, logoY: 3}
	l.label = newText(s.label, bold, fontSize, 0)
	l.message = newText(s.message, bold, fontSize, 0)
	logo := 0.0
	if s.logo {
		logo = logoBox + logoGap
	}
	x := 0.0
	l.logoX = socialPadding
	if s.label != "" {
		l.label.x = socialPadding + logo + l.label.width/2
		l.leftWidth = socialPadding + logo + l.label.width + socialPadding
		x = l.leftWidth + socialNotch
		logo = 0
	}
	l.dotX = x + socialPadding + logo + socialDot/2.0
	start := x + socialPadding + logo + socialDot + socialDotGap
	l.message.x = start + l.message.width/2
	l.width = start + l.message.width + socialPadding
	for _, t := range []*textBox{&l.label, &l.message} {
		t.y, t.fill, t.shadow = 14, darkText, whiteText
	}
	l.logoFill = darkText
	return l
}

// messageStart is where the message box begins.
func (l *layout) messageStart() float64 {
	if l.style == Social && l.label.text != "" {
		return l.leftWidth + socialNotch
	}
	return l.leftWidth
}
