package render

import (
	"strconv"

	"github.com/fogleman/gg"
)

// The XMPP mark: a speech bubble holding a presence dot, drawn in a
// logoBox-pixel square. Its outline is one list of path operations that
// both the SVG and the PNG writer follow, so the two always agree.

// pathOp is one path operation: 'M' move, 'L' line, 'Q' quadratic curve
// (control point, then end point), 'Z' close.
type pathOp struct {
	op  byte
	pts []float64
}

var markOutline = []pathOp{
	{'M', []float64{4, 1.5}},
	{'L', []float64{10, 1.5}},
	{'Q', []float64{13, 1.5, 13, 4.5}},
	{'L', []float64{13, 7.5}},
	{'Q', []float64{13, 10.5, 10, 10.5}},
	{'L', []float64{7.5, 10.5}},
	{'L', []float64{3.5, 13.5}},
	{'L', []float64{4.5, 10.5}},
	{'L', []float64{4, 10.5}},
	{'Q', []float64{1, 10.5, 1, 7.5}},
	{'L', []float64{1, 4.5}},
	{'Q', []float64{1, 1.5, 4, 1.5}},
	{'Z', nil},
}

// The presence dot inside the bubble.
const (
	markDotX, markDotY, markDotR = 7, 6, 2.25
)

// markPathData is markOutline as SVG path data.
var markPathData = func() string {
	var b []byte
	for _, op := range markOutline {
		b = append(b, op.op)
		for i, v := range op.pts {
			if i > 0 {
				b = append(b, ' ')
			}
			b = strconv.AppendFloat(b, v, 'f', -1, 64)
		}
	}
	return string(b)
}()

// svgLogo writes the mark at the layout's logo position.
func (l *layout) svgLogo(w *svgWriter) {
	w.raw(`<g transform="translate(`)
	w.num(l.logoX)
	w.raw(` `)
	w.num(l.logoY)
	w.raw(`)"><path fill="`)
	w.raw(l.logoFill.String())
	w.raw(`" d="` + markPathData + `"/><circle cx="`)
	w.num(markDotX)
	w.raw(`" cy="`)
	w.num(markDotY)
	w.raw(`" r="`)
	w.num(markDotR)
	w.raw(`" fill="`)
	w.raw(l.color.String())
	w.raw(`"/></g>`)
}

// drawLogo draws the mark on dc, whose transform maps layout pixels.
func (l *layout) drawLogo(dc *gg.Context) {
	dc.Push()
	dc.Translate(l.logoX, l.logoY)
	traceMark(dc)
	dc.SetColor(l.logoFill.nrgba(1))
	dc.Fill()
	dc.DrawCircle(markDotX, markDotY, markDotR)
	dc.SetColor(l.color.nrgba(1))
	dc.Fill()
	dc.Pop()
}

// traceMark adds the bubble's outline to dc's path.
func traceMark(dc *gg.Context) {
	for _, op := range markOutline {
		p := op.pts
		switch op.op {
		case 'M':
			dc.MoveTo(p[0], p[1])
		case 'L':
			dc.LineTo(p[0], p[1])
		case 'Q':
			dc.QuadraticTo(p[0], p[1], p[2], p[3])
		case 'Z':
			dc.ClosePath()
		}
	}
}
