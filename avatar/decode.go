package avatar

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"image"
	"image/gif"
	"image/jpeg"
	"image/png"

	"golang.org/x/image/draw"
	"golang.org/x/image/webp"
)

// MaxBytes bounds the size of a picture as published; bigger ones are
// ignored (docs/API.md#rich-presence).
const MaxBytes = 1 << 20

// MaxPixels bounds the pixels of a picture before it is decoded: a small
// file can declare a huge image, and decoding allocates 4 bytes a pixel.
const MaxPixels = 4096 * 4096

// StoredSize is the side of the square kept of each picture: the largest
// size served.
const StoredSize = 512

// Errors of Decode.
var (
	ErrTooLarge = errors.New("avatar: picture too large")
	ErrFormat   = errors.New("avatar: not a PNG, JPEG, GIF or WebP picture")
)

type format struct {
	decode func(r *bytes.Reader) (image.Image, error)
	config func(r *bytes.Reader) (image.Config, error)
}

// formats are the pictures accepted, by their leading bytes: only these
// decoders ever see the data, whatever other image packages are linked in.
var formats = []struct {
	magic string
	f     format
}{
	{"\x89PNG\r\n\x1a\n", format{func(r *bytes.Reader) (image.Image, error) { return png.Decode(r) },
		func(r *bytes.Reader) (image.Config, error) { return png.DecodeConfig(r) }}},
	{"\xff\xd8", format{func(r *bytes.Reader) (image.Image, error) { return jpeg.Decode(r) },
		func(r *bytes.Reader) (image.Config, error) { return jpeg.DecodeConfig(r) }}},
	{"GIF8", format{func(r *bytes.Reader) (image.Image, error) { return gif.Decode(r) },
		func(r *bytes.Reader) (image.Config, error) { return gif.DecodeConfig(r) }}},
	{"RIFF", format{func(r *bytes.Reader) (image.Image, error) { return webp.Decode(r) },
		func(r *bytes.Reader) (image.Config, error) { return webp.DecodeConfig(r) }}},
}

// Decode decodes a published picture: PNG, JPEG, GIF (its first frame) or
// WebP, at most MaxBytes and MaxPixels.
func Decode(data []byte) (image.Image, error) {
	if len(data) > MaxBytes {
		return nil, fmt.Errorf("%w: %d bytes, at most %d", ErrTooLarge, len(data), MaxBytes)
	}
	for _, f := range formats {
		if !bytes.HasPrefix(data, []byte(f.magic)) {
			continue
		}
		cfg, err := f.f.config(bytes.NewReader(data))
		if err != nil {
			return nil, fmt.Errorf("avatar: %w", err)
		}
		if cfg.Width <= 0 || cfg.Height <= 0 || cfg.Width > MaxPixels/cfg.Height {
			return nil, fmt.Errorf("%w: %dx%d pixels", ErrTooLarge, cfg.Width, cfg.Height)
		}
		img, err := f.f.decode(bytes.NewReader(data))
		if err != nil {
			return nil, fmt.Errorf("avatar: %w", err)
		}
		if b := img.Bounds(); b.Dx() <= 0 || b.Dy() <= 0 {
			return nil, fmt.Errorf("avatar: empty picture")
		}
		return img, nil
	}
	return nil, ErrFormat
}

// Normalize decodes a published picture and returns the square PNG kept of
// it, StoredSize on a side, and its id, which changes with the picture.
func Normalize(data []byte) (pngData []byte, id string, err error) {
	img, err := Decode(data)
	if err != nil {
		return nil, "", err
	}
	sum := sha256.Sum256(data)
	return encode(square(img, StoredSize, draw.CatmullRom)), hex.EncodeToString(sum[:8]), nil
}
