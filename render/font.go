package render

import (
	_ "embed"
	"fmt"
	"sync"
	"unicode"

	"golang.org/x/image/font"
	"golang.org/x/image/font/opentype"
	"golang.org/x/image/font/sfnt"
	"golang.org/x/image/math/fixed"
	"golang.org/x/text/width"
)

// DejaVu Sans is metrically close to Verdana, the first family the SVG
// asks for, and its licence allows embedding; measuring and drawing with the
// same file keeps SVG and PNG layouts identical.
var (
	//go:embed fonts/DejaVuSans.ttf
	dejaVuSans []byte
	//go:embed fonts/DejaVuSans-Bold.ttf
	dejaVuSansBold []byte
)

// The two weights the badges use.
var (
	regular = mustTypeface("DejaVuSans.ttf", dejaVuSans)
	bold    = mustTypeface("DejaVuSans-Bold.ttf", dejaVuSansBold)
)

// tableRunes covers Latin, Greek and Cyrillic, whose advances are kept in
// a table so that measuring common text does no font lookups.
const tableRunes = 0x500

// typeface is one embedded font: advances for measuring, and pools of
// faces for drawing (a face keeps scratch buffers and is not safe for
// concurrent use).
type typeface struct {
	f     *sfnt.Font
	upem  fixed.Int26_6
	table [tableRunes]float32 // advance in em; negative when the glyph is missing
	bufs  sync.Pool           // *sfnt.Buffer
	faces sync.Map            // pixel size (float64) -> *sync.Pool of *opentype.Face
}

func mustTypeface(name string, data []byte) *typeface {
	f, err := sfnt.Parse(data)
	if err != nil {
		panic(fmt.Sprintf("render: parse embedded font %s: %v", name, err))
	}
	t := &typeface{f: f, upem: fixed.I(int(f.UnitsPerEm()))}
	t.bufs.New = func() any { return new(sfnt.Buffer) }
	for r := range rune(tableRunes) {
		a, ok := t.lookup(r)
		if !ok {
			a = -1
		}
		t.table[r] = float32(a)
	}
	return t
}

// lookup reads the advance of r from the font, in em.
func (t *typeface) lookup(r rune) (float64, bool) {
	buf := t.bufs.Get().(*sfnt.Buffer)
	defer t.bufs.Put(buf)
	idx, err := t.f.GlyphIndex(buf, r)
	if err != nil || idx == 0 {
		return 0, false
	}
	// At one pixel per font unit the advance is exact, free of hinting.
	adv, err := t.f.GlyphAdvance(buf, idx, t.upem, font.HintingNone)
	if err != nil {
		return 0, false
	}
	return float64(adv) / float64(t.upem), true
}

// glyph returns the advance of r in em and whether the font draws it.
// Missing glyphs get a fallback advance, so that text the font cannot show
// (emoji, CJK) still gets room and nothing is clipped.
func (t *typeface) glyph(r rune) (advance float64, ok bool) {
	if r >= 0 && r < tableRunes {
		if a := t.table[r]; a >= 0 {
			return float64(a), true
		}
		return fallbackAdvance(r), false
	}
	if a, ok := t.lookup(r); ok {
		return a, true
	}
	return fallbackAdvance(r), false
}

// fallbackAdvance guesses the width of a glyph the font lacks: nothing for
// marks and format characters, a full em for wide (CJK, emoji) characters,
// and a typical letter width otherwise.
func fallbackAdvance(r rune) float64 {
	switch {
	case unicode.In(r, unicode.Mn, unicode.Me, unicode.Cf):
		return 0
	case isWide(r):
		return 1
	}
	return 0.6
}

func isWide(r rune) bool {
	switch width.LookupRune(r).Kind() {
	case width.EastAsianWide, width.EastAsianFullwidth:
		return true
	}
	return false
}

// measure returns the width of s at px pixels per em, and the number of
// gaps between visible glyphs, over which extra spacing is spread.
func (t *typeface) measure(s string, px float64) (w float64, gaps int) {
	glyphs := 0
	for _, r := range s {
		a, _ := t.glyph(r)
		if a > 0 {
			glyphs++
		}
		w += a
	}
	return w * px, max(glyphs-1, 0)
}

// face borrows a drawing face of px pixels per em; give it back with
// release.
func (t *typeface) face(px float64) *opentype.Face {
	p, ok := t.faces.Load(px)
	if !ok {
		p, _ = t.faces.LoadOrStore(px, &sync.Pool{New: func() any {
			f, err := opentype.NewFace(t.f, &opentype.FaceOptions{
				Size: px, DPI: 72, Hinting: font.HintingNone,
			})
			if err != nil {
				// Only invalid sizes fail, and the sizes are the layout's constants.
				panic(fmt.Sprintf("render: face of %gpx: %v", px, err))
			}
			return f
		}})
	}
	return p.(*sync.Pool).Get().(*opentype.Face)
}

// release returns a face borrowed with face.
func (t *typeface) release(px float64, f *opentype.Face) {
	if p, ok := t.faces.Load(px); ok {
		p.(*sync.Pool).Put(f)
	}
}
