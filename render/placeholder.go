package render

import (
	"hash/fnv"
	"image"
	"image/draw"
	"strings"
	"unicode"
	"unicode/utf8"
)

// The avatar placeholder is the one picture shown for a JID without one
// (docs/API.md#rich-presence): its initials on a colour, both from the JID
// alone, so that a JID that is hidden, invisible or unknown gets exactly
// the same picture. The card draws it in SVG from the same two values that
// AvatarPlaceholder paints in PNG.

// placeholderColors are dark enough for white initials (contrast of 4.5:1
// or more) and distinct from one another.
var placeholderColors = [...]Color{
	mustColor("#b03a2e"), mustColor("#7d3c98"), mustColor("#1f618d"), mustColor("#117a65"),
	mustColor("#9a5b0a"), mustColor("#a04000"), mustColor("#2e4053"), mustColor("#6c3483"),
	mustColor("#196f3d"), mustColor("#7b241c"), mustColor("#1a5276"), mustColor("#566573"),
}

// placeholderLook returns the initials and the colour of jid's placeholder.
func placeholderLook(jid string) (initials string, c Color) {
	h := fnv.New32a()
	_, _ = h.Write([]byte(strings.ToLower(jid)))
	return placeholderInitials(jid), placeholderColors[h.Sum32()%uint32(len(placeholderColors))]
}

// placeholderInitials takes the first letters of the first two words of the
// JID's local part (the domain for a JID without one): "alice.smith@x" is
// "AS", "bob@x" is "B".
func placeholderInitials(jid string) string {
	name := jid
	if at := strings.LastIndexByte(jid, '@'); at > 0 {
		name = jid[:at]
	}
	words := strings.FieldsFunc(name, func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r)
	})
	var b strings.Builder
	for i, w := range words {
		if i == 2 {
			break
		}
		r, _ := utf8.DecodeRuneInString(w)
		b.WriteString(strings.ToUpper(string(r)))
	}
	if b.Len() == 0 {
		return "?"
	}
	return b.String()
}

// AvatarPlaceholder paints jid's placeholder as a square PNG of size pixels
// (clamped to 16..512): its initials, white, on its colour.
func AvatarPlaceholder(jid string, size int) Image {
	initials, c := placeholderLook(jid)
	return newImage(encodePNG(placeholderImage(initials, c, min(max(size, 16), 512))), PNG)
}

// placeholderImage paints a placeholder into a new square image.
func placeholderImage(initials string, c Color, size int) *image.RGBA {
	img := image.NewRGBA(image.Rect(0, 0, size, size))
	draw.Draw(img, img.Bounds(), image.NewUniform(c.nrgba(1)), image.Point{}, draw.Src)
	t := placeholderText(initials, float64(size))
	drawText(img, &t, 1, 0)
	return img
}

// placeholderText places the initials in the middle of a square of edge
// size: bold, 40% of the edge high.
func placeholderText(initials string, size float64) textBox {
	px := size * .4
	t := newText(initials, bold, px, 0)
	t.x, t.y = size/2, size/2+px*.36
	t.fill = whiteText
	return t
}
