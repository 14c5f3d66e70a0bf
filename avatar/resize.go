package avatar

import (
	"bytes"
	"image"
	"image/png"
	"sync"

	"golang.org/x/image/draw"
)

// square crops the centre square of img and scales it to size pixels
// with scaler.
func square(img image.Image, size int, scaler draw.Scaler) *image.RGBA {
	b := img.Bounds()
	side := min(b.Dx(), b.Dy())
	x0 := b.Min.X + (b.Dx()-side)/2
	y0 := b.Min.Y + (b.Dy()-side)/2
	src := image.Rect(x0, y0, x0+side, y0+side)
	// RGBA, not NRGBA: x/image/draw has fast paths for it alone.
	dst := image.NewRGBA(image.Rect(0, 0, size, size))
	scaler.Scale(dst, dst.Bounds(), img, src, draw.Src, nil)
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

// Resize returns the stored PNG scaled to size pixels on a side. The
// stored picture was scaled with Catmull-Rom once; serving sizes uses the
// cheaper bilinear kernel, which at these ratios looks the same.
func Resize(stored []byte, size int) ([]byte, error) {
	cfg, err := png.DecodeConfig(bytes.NewReader(stored))
	if err != nil {
		return nil, err
	}
	if cfg.Width == size && cfg.Height == size {
		return stored, nil
	}
	img, err := png.Decode(bytes.NewReader(stored))
	if err != nil {
		return nil, err
	}
	return encode(square(img, size, draw.BiLinear)), nil
}
