package render

import (
	"image"
	"image/draw"

	"github.com/fogleman/gg"
	xdraw "golang.org/x/image/draw"
)

// png draws the card at scale times its size, in the theme's colours
// (auto is light: a PNG cannot ask the reader's preference).
func (l *cardLayout) png(avatar []byte, scale int) []byte {
	s := float64(scale)
	pal := l.theme.palette()
	dc := gg.NewContext(cardWidth*scale, cardHeight*scale)
	dc.Scale(s, s)
	dc.DrawRoundedRectangle(.5, .5, cardWidth-1, cardHeight-1, cardRadius)
	dc.SetColor(pal.bg.nrgba(1))
	dc.FillPreserve()
	dc.SetLineWidth(s) // strokes are in device pixels
	dc.SetColor(pal.border.nrgba(1))
	dc.Stroke()
	dc.DrawCircle(cardColumn+statusDot/2.0, l.dotY, statusDot/2.0)
	dc.SetColor(l.color.nrgba(1))
	dc.Fill()
	dst := dc.Image().(*image.RGBA)
	l.drawAvatar(dst, avatar, scale)
	for _, line := range l.lines {
		for i := range line.boxes {
			drawText(dst, &line.boxes[i], s, 0)
		}
	}
	return encodePNG(dst)
}

// drawAvatar paints the avatar, or the placeholder, in its circle.
func (l *cardLayout) drawAvatar(dst *image.RGBA, avatar []byte, scale int) {
	edge := avatarSize * scale
	src := l.avatarImage(avatar, edge)
	if src.Bounds().Dx() != edge || src.Bounds().Dy() != edge {
		scaled := image.NewRGBA(image.Rect(0, 0, edge, edge))
		xdraw.CatmullRom.Scale(scaled, scaled.Bounds(), src, src.Bounds(), draw.Src, nil)
		src = scaled
	}
	mask := gg.NewContext(edge, edge)
	mask.DrawCircle(float64(edge)/2, float64(edge)/2, float64(edge)/2)
	mask.Fill()
	at := image.Pt(cardPad*scale, cardPad*scale)
	draw.DrawMask(dst, image.Rectangle{at, at.Add(image.Pt(edge, edge))}, src, src.Bounds().Min, mask.Image(), image.Point{}, draw.Over)
}
