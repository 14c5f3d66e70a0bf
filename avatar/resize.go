package avatar

import (
	"bytes"
	"image"
	"image/png"
	"sync"

	"golang.org/x/image/draw"
)

// square crops the centre square of img and scales it to size pixels.
func square(img image.Image, size int) *image.NRGBA {
	b := img.Bounds()
	side := min(b.Dx(), b.Dy())
	x0 := b.Min.X + (b.Dx()-side)/2
	y0 := b.Min.Y + (b.Dy()-side)/2
	src := image.Rect(x0, y0, x0+side, y0+side)
	dst := image.NewNRGBA(image.Rect(0, 0, size, size))
	draw.CatmullRom.Scale(dst, dst.Bounds(), img, src, draw.Src, nil)
	return dst
}

var encoders = sync.Pool{New: func() any { return new(encoderBuffer) }}

type encoderBuffer struct{ b *png.EncoderBuffer }

func (e *encoderBuffer) Get() *png.EncoderBuffer  { return e.b }
func (e *encoderBuffer) Put(b *png.EncoderBuffer) { e.b = b }

// encode writes img as PNG; encoding to memory cannot fail.
func encode(img image.Image) []byte {
	var buf bytes.Buffer
	pool := encoders.Get().(*encoderBuffer)
	defer encoders.Put(pool)
	enc := png.Encoder{CompressionLevel: png.BestSpeed, BufferPool: pool}
	if err := enc.Encode(&buf, img); err != nil {
		panic("avatar: encode PNG: " + err.Error())
	}
	return buf.Bytes()
}

// Resize returns the stored PNG scaled to size pixels on a side.
func Resize(stored []byte, size int) ([]byte, error) {
	img, err := png.Decode(bytes.NewReader(stored))
	if err != nil {
		return nil, err
	}
	if img.Bounds().Dx() == size && img.Bounds().Dy() == size {
		return stored, nil
	}
	return encode(square(img, size)), nil
}
