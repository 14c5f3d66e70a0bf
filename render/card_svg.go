package render

import (
	"encoding/base64"

	"badges/avatar"
)

// svg writes the card. Its colours are classes set by one style sheet
// inside it, so that theme auto can switch them by prefers-color-scheme;
// the avatar is a data: URI. Nothing in it points outside it.
func (l *cardLayout) svg(pic []byte) []byte {
	w := &svgWriter{b: make([]byte, 0, 3072+base64.StdEncoding.EncodedLen(len(pic)))}
	aria := l.accessibleText()
	w.raw(`<svg xmlns="http://www.w3.org/2000/svg" width="400" height="120" viewBox="0 0 400 120" role="img" aria-label="`)
	w.esc(aria)
	w.raw(`"><title>`)
	w.esc(aria)
	w.raw(`</title><style>`)
	switch l.theme {
	case ThemeAuto:
		svgPalette(w, lightCard)
		w.raw(`@media (prefers-color-scheme:dark){`)
		svgPalette(w, darkCard)
		w.raw(`}`)
	default:
		svgPalette(w, l.theme.palette())
	}
	w.raw(`</style><rect class="c" x=".5" y=".5" width="399" height="119" rx="10"/>`)
	l.svgAvatar(w, pic)
	w.raw(`<circle cx="`)
	w.num(cardColumn + statusDot/2.0)
	w.raw(`" cy="`)
	w.num(l.dotY)
	w.raw(`" r="`)
	w.num(statusDot / 2.0)
	w.raw(`" fill="`)
	w.raw(l.color.String())
	w.raw(`"/><g font-family="` + fontFamily + `" text-rendering="geometricPrecision" text-anchor="middle">`)
	pal := l.theme.palette()
	for _, line := range l.lines {
		for i := range line.boxes {
			b := &line.boxes[i]
			class := "t"
			if b.fill == pal.muted {
				class = "m"
			}
			svgCardText(w, b, class)
		}
	}
	w.raw(`</g></svg>`)
	return w.b
}

// svgPalette writes the rules of the classes: c the card, t text, m muted.
func svgPalette(w *svgWriter, p cardPalette) {
	w.raw(`.c{fill:` + p.bg.String() + `;stroke:` + p.border.String() + `}.t{fill:` + p.text.String() +
		`}.m{fill:` + p.muted.String() + `}`)
}

// svgAvatar writes the avatar, or the placeholder that /avatar serves
// (avatar.Placeholder), clipped to a circle.
func (l *cardLayout) svgAvatar(w *svgWriter, pic []byte) {
	if pic == nil {
		pic = avatar.Placeholder(l.owner, CardAvatarSizes[0])
	}
	w.raw(`<clipPath id="a"><circle cx="60" cy="60" r="40"/></clipPath><image x="20" y="20" width="80" height="80" preserveAspectRatio="xMidYMid slice" clip-path="url(#a)" href="data:image/png;base64,`)
	w.b = base64.StdEncoding.AppendEncode(w.b, pic)
	w.raw(`"/>`)
}

// svgCardText writes one text at its measured width, like a badge's.
func svgCardText(w *svgWriter, t *textBox, class string) {
	if t.text == "" {
		return
	}
	w.raw(`<text `)
	if class != "" {
		w.raw(`class="` + class + `" `)
	} else {
		w.raw(`fill="` + t.fill.String() + `" `)
	}
	w.raw(`x="`)
	w.num(t.x)
	w.raw(`" y="`)
	w.num(t.y)
	w.raw(`" font-size="`)
	w.num(t.px)
	w.raw(`" textLength="`)
	w.num(t.width)
	w.raw(`"`)
	w.textEnd(t, t.face == bold)
}
