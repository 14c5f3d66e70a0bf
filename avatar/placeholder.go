package avatar

import (
	"image"
	"image/color"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/image/draw"
	"golang.org/x/image/font"
	"golang.org/x/image/font/gofont/gobold"
	"golang.org/x/image/font/opentype"
	"golang.org/x/image/math/fixed"
	xcolor "mellium.im/xmpp/color"
)

var boldFont = mustParse(gobold.TTF)

func mustParse(ttf []byte) *opentype.Font {
	f, err := opentype.Parse(ttf)
	if err != nil {
		panic("avatar: parse embedded font: " + err.Error())
	}
	return f
}

// Initials are the letters a placeholder shows: the first letter of the
// JID's local part (of its domain for a JID without one) and the first
// after a '.', '_' or '-' in it. They depend on the JID alone: a name would
// tell what the user may have hidden.
func Initials(jid string) string {
	local, _, ok := strings.Cut(jid, "@")
	want := 2
	if !ok { // a server or service: its domain's first letter
		local, want = jid, 1
	}
	var out []rune
	next := true
	for _, r := range local {
		if r == '.' || r == '_' || r == '-' || r == '+' {
			next = true
			continue
		}
		if next && (unicode.IsLetter(r) || unicode.IsDigit(r)) {
			out = append(out, unicode.ToUpper(r))
			if len(out) == want {
				break
			}
			next = false
		}
	}
	if len(out) == 0 {
		return "?"
	}
	return string(out)
}

// Background is the colour of jid's placeholder: XEP-0392 consistent
// colour generation, so that clients that use it show the same hue.
func Background(jid string) color.NRGBA {
	c := xcolor.String(jid, 96, xcolor.None)
	r, g, b := color.YCbCrToRGB(c.Y, c.Cb, c.Cr)
	return color.NRGBA{R: r, G: g, B: b, A: 255}
}

// Placeholder draws jid's initials in white on its colour, size pixels on
// a side. The bytes depend on the JID and size alone.
func Placeholder(jid string, size int) []byte {
	img := image.NewNRGBA(image.Rect(0, 0, size, size))
	draw.Draw(img, img.Bounds(), image.NewUniform(Background(jid)), image.Point{}, draw.Src)
	text := Initials(jid)
	px := float64(size) * 0.42
	if utf8.RuneCountInString(text) == 1 {
		px = float64(size) * 0.5
	}
	face, err := opentype.NewFace(boldFont, &opentype.FaceOptions{Size: px, DPI: 72, Hinting: font.HintingNone})
	if err != nil {
		return encode(img)
	}
	defer face.Close()
	d := font.Drawer{Dst: img, Src: image.White, Face: face}
	adv := d.MeasureString(text)
	m := face.Metrics()
	x := (fixed.I(size) - adv) / 2
	y := (fixed.I(size) + m.CapHeight) / 2
	d.Dot = fixed.Point26_6{X: x, Y: y}
	d.DrawString(text)
	return encode(img)
}
