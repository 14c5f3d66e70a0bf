package render

import "strconv"

// fontFamily is the SVG's font list: Verdana where installed (shields' own
// font), else DejaVu Sans, whose metrics size the boxes; textLength makes
// any of them fill the measured width exactly.
const fontFamily = "Verdana,Geneva,DejaVu Sans,sans-serif"

// svgWriter appends SVG to a byte slice. Only raw writes the caller's
// constants unescaped; outside text goes through esc.
type svgWriter struct {
	b []byte
}

func (w *svgWriter) raw(s string) { w.b = append(w.b, s...) }
func (w *svgWriter) esc(s string) { w.b = appendEscaped(w.b, s) }

// num writes a length; the layout keeps them to a few decimals.
func (w *svgWriter) num(v float64) {
	w.b = strconv.AppendFloat(w.b, v, 'f', -1, 64)
}

// accessibleText is what a screen reader says: "label: message".
func (l *layout) accessibleText() string {
	if l.spec.label == "" {
		return l.spec.message
	}
	return l.spec.label + ": " + l.spec.message
}

// svg writes the badge.
func (l *layout) svg() []byte {
	w := &svgWriter{b: make([]byte, 0, 1280+4*len(l.spec.label)+4*len(l.spec.message))}
	aria := l.accessibleText()
	w.raw(`<svg xmlns="http://www.w3.org/2000/svg" width="`)
	w.num(l.width)
	w.raw(`" height="`)
	w.num(l.height)
	w.raw(`" role="img" aria-label="`)
	w.esc(aria)
	w.raw(`"><title>`)
	w.esc(aria)
	w.raw(`</title>`)
	if l.style == Social {
		l.svgSocialBoxes(w)
	} else {
		l.svgBoxes(w)
	}
	if l.logo {
		l.svgLogo(w)
	}
	w.raw(`<g text-anchor="middle" font-family="` + fontFamily + `" text-rendering="geometricPrecision" font-size="`)
	switch l.style {
	case ForTheBadge:
		w.raw(`100">`)
	case Social:
		w.raw(`110" font-weight="bold">`)
	default:
		w.raw(`110">`)
	}
	l.svgText(w, &l.label)
	l.svgText(w, &l.message)
	w.raw(`</g></svg>`)
	return w.b
}

// svgBoxes writes the two coloured boxes and the style's decoration.
func (l *layout) svgBoxes(w *svgWriter) {
	switch l.style {
	case Flat:
		w.raw(`<linearGradient id="s" x2="0" y2="100%"><stop offset="0" stop-color="#bbb" stop-opacity=".1"/><stop offset="1" stop-opacity=".1"/></linearGradient>`)
	case Plastic:
		w.raw(`<linearGradient id="s" x2="0" y2="100%"><stop offset="0" stop-color="#fff" stop-opacity=".7"/><stop offset=".1" stop-color="#aaa" stop-opacity=".1"/><stop offset=".9" stop-opacity=".3"/><stop offset="1" stop-opacity=".5"/></linearGradient>`)
	}
	if l.radius > 0 {
		w.raw(`<clipPath id="r"><rect width="`)
		w.num(l.width)
		w.raw(`" height="`)
		w.num(l.height)
		w.raw(`" rx="`)
		w.num(l.radius)
		w.raw(`" fill="#fff"/></clipPath><g clip-path="url(#r)">`)
	} else {
		w.raw(`<g shape-rendering="crispEdges">`)
	}
	if l.leftWidth > 0 {
		w.raw(`<rect width="`)
		w.num(l.leftWidth)
		w.raw(`" height="`)
		w.num(l.height)
		w.raw(`" fill="`)
		w.raw(l.labelColor.String())
		w.raw(`"/>`)
	}
	w.raw(`<rect x="`)
	w.num(l.leftWidth)
	w.raw(`" width="`)
	w.num(l.width - l.leftWidth)
	w.raw(`" height="`)
	w.num(l.height)
	w.raw(`" fill="`)
	w.raw(l.color.String())
	w.raw(`"/>`)
	if l.style == Flat || l.style == Plastic {
		w.raw(`<rect width="`)
		w.num(l.width)
		w.raw(`" height="`)
		w.num(l.height)
		w.raw(`" fill="url(#s)"/>`)
	}
	w.raw(`</g>`)
}

// svgSocialBoxes writes the light label box, the message box with its
// arrow, and the status dot.
func (l *layout) svgSocialBoxes(w *svgWriter) {
	w.raw(`<linearGradient id="a" x2="0" y2="100%"><stop offset="0" stop-color="#fcfcfc" stop-opacity="0"/><stop offset="1" stop-opacity=".1"/></linearGradient>`)
	w.raw(`<g stroke="` + socialBorder + `">`)
	box := func(x, width float64, fill string) {
		w.raw(`<rect x="`)
		w.num(x + .5)
		w.raw(`" y=".5" width="`)
		w.num(width - 1)
		w.raw(`" height="`)
		w.num(l.height - 1)
		w.raw(`" rx="`)
		w.num(l.radius)
		w.raw(`" fill="` + fill + `"/>`)
	}
	mx := l.messageStart()
	if l.label.text != "" {
		w.raw(`<rect stroke="none" x=".5" y=".5" width="`)
		w.num(l.leftWidth - 1)
		w.raw(`" height="`)
		w.num(l.height - 1)
		w.raw(`" rx="`)
		w.num(l.radius)
		w.raw(`" fill="` + socialLabelFill + `"/>`)
		box(0, l.leftWidth, "url(#a)")
	}
	box(mx, l.width-mx, socialBoxFill)
	if l.label.text != "" {
		w.raw(`<path d="M`)
		w.num(mx + .5)
		w.raw(` 6.5L`)
		w.num(mx - 3)
		w.raw(` 10L`)
		w.num(mx + .5)
		w.raw(` 13.5" fill="` + socialBoxFill + `"/><rect x="`)
		w.num(mx)
		w.raw(`" y="7" width="1" height="6" fill="` + socialBoxFill + `" stroke="none"/>`)
	}
	w.raw(`</g><circle cx="`)
	w.num(l.dotX)
	w.raw(`" cy="`)
	w.num(l.height / 2)
	w.raw(`" r="`)
	w.num(socialDot / 2.0)
	w.raw(`" fill="`)
	w.raw(l.color.String())
	w.raw(`"/>`)
}

// textEnd ends the attributes of a <text> element of t, bold if asked and
// right to left if t is, and writes its escaped text.
func (w *svgWriter) textEnd(t *textBox, bold bool) {
	if bold {
		w.raw(` font-weight="bold"`)
	}
	if t.rtl {
		w.raw(` direction="rtl"`)
	}
	w.raw(`>`)
	w.esc(t.text)
	w.raw(`</text>`)
}

// svgText writes one text, with its shadow, using shields' trick: the text
// is set ten times larger and scaled down by transform, which gives browsers
// finer positions than whole pixels; textLength pins it to the width
// measured here whatever font the reader's system picks.
func (l *layout) svgText(w *svgWriter, t *textBox) {
	if t.text == "" {
		return
	}
	one := func(y float64, fill Color, shadow bool) {
		w.raw(`<text `)
		if shadow {
			w.raw(`aria-hidden="true" `)
		}
		w.raw(`x="`)
		w.num(t.x * 10)
		w.raw(`" y="`)
		w.num(y * 10)
		w.raw(`" fill="`)
		w.raw(fill.String())
		if shadow && l.style != Social {
			w.raw(`" fill-opacity=".3`)
		}
		w.raw(`" transform="scale(.1)" textLength="`)
		w.num(t.width * 10)
		w.raw(`"`)
		w.textEnd(t, t.face == bold && l.style != Social)
	}
	if !t.shadow.IsZero() {
		one(t.y+1, t.shadow, true)
	}
	one(t.y, t.fill, false)
}
