package render

import (
	"image/color"
	"strings"
)

// Color is a validated colour: only ParseColor and this package make one,
// so whatever reaches an SVG attribute is a plain "#rgb" or "#rrggbb" and
// can never inject markup. The zero Color means "not set".
type Color struct {
	hex string
}

// ParseColor accepts a shields colour name (brightgreen, green, yellowgreen,
// yellow, orange, red, blue, lightgrey, grey and the aliases success,
// important, critical, informational, inactive), a CSS colour name
// (blueviolet, purple...), or a hex colour of 3 or 6 digits with or without
// a leading '#'. Names are case-insensitive. ok is false for anything else.
func ParseColor(s string) (c Color, ok bool) {
	if s == "" || len(s) > 32 {
		return Color{}, false
	}
	s = strings.ToLower(strings.TrimSpace(s))
	if hex, ok := shieldsColors[s]; ok {
		return Color{hex}, true
	}
	if hex, ok := cssColors[s]; ok {
		return Color{hex}, true
	}
	h := strings.TrimPrefix(s, "#")
	if (len(h) != 3 && len(h) != 6) || strings.Trim(h, "0123456789abcdef") != "" {
		return Color{}, false
	}
	return Color{"#" + h}, true
}

// mustColor is for the package's own constants.
func mustColor(s string) Color {
	c, ok := ParseColor(s)
	if !ok {
		panic("render: bad built-in colour " + s)
	}
	return c
}

// IsZero reports whether the colour is unset.
func (c Color) IsZero() bool { return c.hex == "" }

// String returns the colour as "#rgb" or "#rrggbb", or "" when unset.
func (c Color) String() string { return c.hex }

// or returns c, or def when c is unset.
func (c Color) or(def Color) Color {
	if c.IsZero() {
		return def
	}
	return c
}

// rgb expands the hex form; an unset colour is black.
func (c Color) rgb() (r, g, b uint8) {
	h := strings.TrimPrefix(c.hex, "#")
	digit := func(i int) uint8 {
		switch ch := h[i]; {
		case ch >= 'a':
			return ch - 'a' + 10
		default:
			return ch - '0'
		}
	}
	switch len(h) {
	case 3:
		return digit(0) * 17, digit(1) * 17, digit(2) * 17
	case 6:
		return digit(0)<<4 | digit(1), digit(2)<<4 | digit(3), digit(4)<<4 | digit(5)
	}
	return 0, 0, 0
}

// nrgba returns the colour with the given opacity (0..1) for drawing.
func (c Color) nrgba(opacity float64) color.NRGBA {
	r, g, b := c.rgb()
	return color.NRGBA{R: r, G: g, B: b, A: uint8(opacity*255 + 0.5)}
}

// brightness is the perceived brightness in 0..1 (ITU-R BT.601 weights).
func (c Color) brightness() float64 {
	r, g, b := c.rgb()
	return (299*float64(r) + 587*float64(g) + 114*float64(b)) / 255000
}

// brightnessThreshold is where dark text starts to read better than white
// text; shields uses the same value, so badges look alike side by side.
const brightnessThreshold = 0.69

// Colours the layout uses.
var (
	defaultLabelColor = mustColor("#555")
	whiteText         = mustColor("#fff")
	darkText          = mustColor("#333")
	darkShadow        = mustColor("#010101")
	lightShadow       = mustColor("#ccc")
	errorColor        = mustColor("red")
)

// textColors picks the text colour and its shadow for a background.
func textColors(bg Color) (text, shadow Color) {
	if bg.brightness() <= brightnessThreshold {
		return whiteText, darkShadow
	}
	return darkText, lightShadow
}

// shieldsColors are the names shields.io defines; they win over the CSS
// names of the same spelling (shields' green is not CSS green).
var shieldsColors = map[string]string{
	"brightgreen":   "#4c1",
	"green":         "#97ca00",
	"yellowgreen":   "#a4a61d",
	"yellow":        "#dfb317",
	"orange":        "#fe7d37",
	"red":           "#e05d44",
	"blue":          "#007ec6",
	"grey":          "#555",
	"gray":          "#555",
	"lightgrey":     "#9f9f9f",
	"lightgray":     "#9f9f9f",
	"success":       "#4c1",
	"important":     "#fe7d37",
	"critical":      "#e05d44",
	"informational": "#007ec6",
	"inactive":      "#9f9f9f",
}
