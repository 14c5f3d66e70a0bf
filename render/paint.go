package render

import (
	"image"
	"math"
)

// Pixel work the PNG writers share. gg evaluates a gradient per pixel
// through an interface and allocates for every pixel, and fills through a
// clip take its slow path; the badges only need vertical gradients (one
// colour per row) laid over shapes already drawn, and rounded corners, so
// both are done here directly.

// gradientStop is one stop of a vertical gradient, as in SVG.
type gradientStop struct {
	offset  float64
	color   Color
	opacity float64
}

// The gradients of the SVG writers, top to bottom.
var (
	flatGloss    = []gradientStop{{0, mustColor("#bbb"), .1}, {1, mustColor("#000"), .1}}
	plasticGloss = []gradientStop{
		{0, mustColor("#fff"), .7}, {.1, mustColor("#aaa"), .1},
		{.9, mustColor("#000"), .3}, {1, mustColor("#000"), .5},
	}
	socialShade   = []gradientStop{{0, mustColor(socialLabelFill), 0}, {1, mustColor("#000"), .1}}
	iconHighlight = []gradientStop{{0, whiteText, .3}, {.6, whiteText, 0}}
)

// gradientAt interpolates colour and opacity separately, as SVG does.
func gradientAt(stops []gradientStop, t float64) (r, g, b, a float64) {
	i := 0
	for i < len(stops)-1 && t > stops[i+1].offset {
		i++
	}
	s0, s1 := stops[i], stops[min(i+1, len(stops)-1)]
	f := 0.0
	if s1.offset > s0.offset {
		f = min(max((t-s0.offset)/(s1.offset-s0.offset), 0), 1)
	}
	r0, g0, b0 := s0.color.rgb()
	r1, g1, b1 := s1.color.rgb()
	lerp := func(x, y float64) float64 { return x + (y-x)*f }
	return lerp(float64(r0), float64(r1)), lerp(float64(g0), float64(g1)),
		lerp(float64(b0), float64(b1)), lerp(s0.opacity, s1.opacity)
}

// blendGradient lays a vertical gradient spanning device rows top to
// bottom over what dst already shows, and nowhere else: composited "atop",
// each pixel takes the gradient in proportion to its own coverage, so a
// shape drawn on a transparent canvas needs no clip of its own.
func blendGradient(dst *image.RGBA, top, bottom float64, stops []gradientStop) {
	bounds := dst.Bounds()
	for y := bounds.Min.Y; y < bounds.Max.Y; y++ {
		r, g, b, a := gradientAt(stops, (float64(y)+.5-top)/(bottom-top))
		if a <= 0 {
			continue
		}
		row := dst.Pix[(y-bounds.Min.Y)*dst.Stride:]
		for x := range bounds.Dx() {
			p := row[x*4 : x*4+4 : x*4+4]
			if p[3] == 0 {
				continue
			}
			// Premultiplied source-atop: colour mixes in, alpha stays.
			cover := float64(p[3]) / 255
			p[0] = uint8(r*a*cover + float64(p[0])*(1-a) + .5)
			p[1] = uint8(g*a*cover + float64(p[1])*(1-a) + .5)
			p[2] = uint8(b*a*cover + float64(p[2])*(1-a) + .5)
		}
	}
}

// roundCorners cuts dst's corners to a radius of r device pixels. Only the
// corner squares change, each pixel by the share of it inside the arc,
// sampled on a 4x4 grid.
func roundCorners(dst *image.RGBA, r float64) {
	if r <= 0 {
		return
	}
	b := dst.Bounds()
	n := int(math.Ceil(r))
	for j := range n {
		for i := range n {
			inside := 0
			for sy := range 4 {
				for sx := range 4 {
					dx := r - (float64(i) + (float64(sx)+.5)/4)
					dy := r - (float64(j) + (float64(sy)+.5)/4)
					if dx <= 0 || dy <= 0 || dx*dx+dy*dy <= r*r {
						inside++
					}
				}
			}
			if inside == 16 {
				continue
			}
			m := uint32(inside * 255 / 16)
			for _, p := range []image.Point{
				{b.Min.X + i, b.Min.Y + j}, {b.Max.X - 1 - i, b.Min.Y + j},
				{b.Min.X + i, b.Max.Y - 1 - j}, {b.Max.X - 1 - i, b.Max.Y - 1 - j},
			} {
				px := dst.Pix[dst.PixOffset(p.X, p.Y):][:4:4]
				for k := range px {
					px[k] = uint8((uint32(px[k])*m + 127) / 255)
				}
			}
		}
	}
}
