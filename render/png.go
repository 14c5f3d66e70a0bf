package render

import (
	"bytes"
	"fmt"
	"image"
	"image/draw"
	"image/png"
	"math"
	"sync"

	"github.com/fogleman/gg"
	"golang.org/x/image/math/fixed"
)

// png draws the badge at scale times its layout size. Shapes go through
// gg with a scaling transform; text is drawn straight from the font's
// glyph masks at the scaled size, because gg would resample each glyph
// through its transform, which is slower and blurs small text.
func (l *layout) png(scale int) []byte {
	s := float64(scale)
	dc := gg.NewContext(int(l.width)*scale, int(l.height)*scale)
	dc.Scale(s, s)
	if l.style == Social {
		l.drawSocialBoxes(dc, s)
	} else {
		l.drawBoxes(dc, s)
	}
	if l.logo {
		l.drawLogo(dc)
	}
	dst := dc.Image().(*image.RGBA)
	shadowOpacity := .3
	if l.style == Social {
		shadowOpacity = 1
	}
	drawText(dst, &l.label, s, shadowOpacity)
	drawText(dst, &l.message, s, shadowOpacity)
	return encodePNG(dst)
}

// drawBoxes draws the coloured boxes and the style's decoration. The
// boxes are filled square and their corners cut afterwards: filling through
// a clip would send every pixel through gg's slow pattern path.
func (l *layout) drawBoxes(dc *gg.Context, s float64) {
	if l.leftWidth > 0 {
		dc.DrawRectangle(0, 0, l.leftWidth, l.height)
		dc.SetColor(l.labelColor.nrgba(1))
		dc.Fill()
	}
	dc.DrawRectangle(l.leftWidth, 0, l.width-l.leftWidth, l.height)
	dc.SetColor(l.color.nrgba(1))
	dc.Fill()
	dst := dc.Image().(*image.RGBA)
	switch l.style {
	case Flat:
		blendGradient(dst, 0, l.height*s, flatGloss)
	case Plastic:
		blendGradient(dst, 0, l.height*s, plasticGloss)
	}
	roundCorners(dst, l.radius*s)
}

// drawSocialBoxes mirrors svgSocialBoxes.
func (l *layout) drawSocialBoxes(dc *gg.Context, s float64) {
	border, boxFill := mustColor(socialBorder).nrgba(1), mustColor(socialBoxFill).nrgba(1)
	dc.SetLineWidth(s) // strokes are in device pixels
	mx := l.messageStart()
	if l.label.text != "" {
		// The label box is alone on the canvas when its shade goes on.
		dc.DrawRoundedRectangle(.5, .5, l.leftWidth-1, l.height-1, l.radius)
		dc.SetColor(mustColor(socialLabelFill).nrgba(1))
		dc.FillPreserve()
		blendGradient(dc.Image().(*image.RGBA), .5*s, (l.height-.5)*s, socialShade)
		dc.SetColor(border)
		dc.Stroke()
	}
	dc.DrawRoundedRectangle(mx+.5, .5, l.width-mx-1, l.height-1, l.radius)
	dc.SetColor(boxFill)
	dc.FillPreserve()
	dc.SetColor(border)
	dc.Stroke()
	if l.label.text != "" {
		dc.MoveTo(mx+.5, 6.5)
		dc.LineTo(mx-3, 10)
		dc.LineTo(mx+.5, 13.5)
		dc.SetColor(boxFill)
		dc.FillPreserve()
		dc.SetColor(border)
		dc.Stroke()
		dc.DrawRectangle(mx, 7, 1, 6)
		dc.SetColor(boxFill)
		dc.Fill()
	}
	dc.DrawCircle(l.dotX, l.height/2, socialDot/2.0)
	dc.SetColor(l.color.nrgba(1))
	dc.Fill()
}

// drawText draws t at scale s. The glyphs are rasterised once into an ink
// mask, which then paints the shadow and the text: every shadow lies under
// all of the text, and overlapping glyph edges blend as one shape. Extra
// width from rounding and letter spacing is spread between glyphs as SVG's
// textLength does.
func drawText(dst *image.RGBA, t *textBox, s, shadowOpacity float64) {
	if t.text == "" {
		return
	}
	px := t.px * s
	face := t.face.face(px)
	defer t.face.release(px, face)
	extra := 0.0
	if t.gaps > 0 {
		extra = (t.width - t.natural) / float64(t.gaps) * s
	}
	ink := image.NewAlpha(dst.Bounds())
	x, y := (t.x-t.width/2)*s, t.y*s
	for _, c := range visualOrder(t.glyphs) {
		for _, r := range c.text {
			adv, ok := t.face.glyph(r)
			if ok {
				dot := fixed.Point26_6{X: fixed.Int26_6(math.Round(x * 64)), Y: fixed.Int26_6(math.Round(y * 64))}
				if dr, mask, mp, _, ok := face.Glyph(dot, r); ok {
					draw.DrawMask(ink, dr, image.Opaque, image.Point{}, mask, mp, draw.Over)
				}
			} else if adv > 0 {
				drawTofu(ink, x, y, adv*px, px, s)
			}
			if adv > 0 {
				x += adv*px + extra
			}
		}
	}
	b := ink.Bounds()
	if !t.shadow.IsZero() {
		// The shadow lies one layout pixel lower.
		off := image.Pt(0, int(s))
		draw.DrawMask(dst, b.Add(off), image.NewUniform(t.shadow.nrgba(shadowOpacity)), image.Point{}, ink, b.Min, draw.Over)
	}
	draw.DrawMask(dst, b, image.NewUniform(t.fill.nrgba(1)), image.Point{}, ink, b.Min, draw.Over)
}

// drawTofu draws the outline box that stands for a glyph the font lacks,
// in the room measuring gave it.
func drawTofu(ink *image.Alpha, x, y, adv, px, s float64) {
	line := int(math.Max(1, math.Round(s)))
	r := image.Rect(int(math.Round(x+adv*.1)), int(math.Round(y-px*.7)),
		int(math.Round(x+adv*.9)), int(math.Round(y)))
	for _, side := range []image.Rectangle{
		{r.Min, image.Pt(r.Max.X, r.Min.Y+line)},
		{image.Pt(r.Min.X, r.Max.Y-line), r.Max},
		{image.Pt(r.Min.X, r.Min.Y+line), image.Pt(r.Min.X+line, r.Max.Y-line)},
		{image.Pt(r.Max.X-line, r.Min.Y+line), image.Pt(r.Max.X, r.Max.Y-line)},
	} {
		draw.Draw(ink, side, image.Opaque, image.Point{}, draw.Src)
	}
}

// pngEncoder reuses its compression buffers across images. On badges,
// BestSpeed makes files about 4% larger than the default level and encodes
// them about five times faster; encoding is most of a PNG's cost.
var pngEncoder = png.Encoder{CompressionLevel: png.BestSpeed, BufferPool: &pngBuffers{}}

type pngBuffers struct{ pool sync.Pool }

func (b *pngBuffers) Get() *png.EncoderBuffer {
	e, _ := b.pool.Get().(*png.EncoderBuffer)
	return e
}

func (b *pngBuffers) Put(e *png.EncoderBuffer) { b.pool.Put(e) }

// encodePNG encodes img. Writing to memory cannot fail and every image here
// has a non-zero size, so an error is a bug, not a condition to handle.
func encodePNG(img image.Image) []byte {
	var buf bytes.Buffer
	if err := pngEncoder.Encode(&buf, img); err != nil {
		panic(fmt.Sprintf("render: encode %v PNG: %v", img.Bounds().Size(), err))
	}
	return buf.Bytes()
}
