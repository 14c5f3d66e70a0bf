package avatar

import (
	"bytes"
	"errors"
	"image"
	"image/color"
	"image/gif"
	"image/jpeg"
	"image/png"
	"os"
	"testing"
)

// testPicture is a w x h picture, red on the left half and blue on the right.
func testPicture(w, h int) image.Image {
	img := image.NewNRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			c := color.NRGBA{R: 255, A: 255}
			if x >= w/2 {
				c = color.NRGBA{B: 255, A: 255}
			}
			img.SetNRGBA(x, y, c)
		}
	}
	return img
}

// Encoded returns a picture in each format the tests use.
func encoded(t testing.TB, format string, w, h int) []byte {
	t.Helper()
	var buf bytes.Buffer
	var err error
	switch format {
	case "png":
		err = png.Encode(&buf, testPicture(w, h))
	case "jpeg":
		err = jpeg.Encode(&buf, testPicture(w, h), nil)
	case "gif":
		err = gif.Encode(&buf, testPicture(w, h), nil)
	case "webp":
		b, rerr := os.ReadFile("testdata/blue-purple-pink.lossy.webp")
		buf.Write(b)
		err = rerr
	}
	if err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestNormalize(t *testing.T) {
	for _, f := range []string{"png", "jpeg", "gif", "webp"} {
		t.Run(f, func(t *testing.T) {
			out, id, err := Normalize(encoded(t, f, 300, 200))
			if err != nil {
				t.Fatal(err)
			}
			if len(id) != 16 {
				t.Errorf("id %q", id)
			}
			img, err := png.Decode(bytes.NewReader(out))
			if err != nil {
				t.Fatalf("not a PNG: %v", err)
			}
			if b := img.Bounds(); b.Dx() != StoredSize || b.Dy() != StoredSize {
				t.Errorf("stored %v, want %d square", b, StoredSize)
			}
			for _, size := range []int{16, 64, 512} {
				b, err := Resize(out, size)
				if err != nil {
					t.Fatal(err)
				}
				cfg, err := png.DecodeConfig(bytes.NewReader(b))
				if err != nil || cfg.Width != size || cfg.Height != size {
					t.Errorf("size %d: %+v %v", size, cfg, err)
				}
			}
		})
	}
}

func TestDecodeRejects(t *testing.T) {
	big := make([]byte, MaxBytes+1)
	copy(big, "\x89PNG\r\n\x1a\n")
	var huge bytes.Buffer
	if err := png.Encode(&huge, image.NewGray(image.Rect(0, 0, 5000, 4000))); err != nil {
		t.Fatal(err)
	}
	good := encoded(t, "png", 10, 10)
	for name, tc := range map[string]struct {
		data []byte
		want error
	}{
		"over 1 MiB":      {big, ErrTooLarge},
		"too many pixels": {huge.Bytes(), ErrTooLarge},
		"svg":             {[]byte("<svg xmlns='http://www.w3.org/2000/svg'/>"), ErrFormat},
		"bmp":             {[]byte("BM\x00\x00"), ErrFormat},
		"corrupt png":     {good[:len(good)/2], nil},
	} {
		_, _, err := Normalize(tc.data)
		if err == nil || tc.want != nil && !errors.Is(err, tc.want) {
			t.Errorf("%s: %v, want %v", name, err, tc.want)
		}
	}
}

func TestPlaceholder(t *testing.T) {
	a := Placeholder("alice.liddell@example.com", 64)
	if b := Placeholder("alice.liddell@example.com", 64); !bytes.Equal(a, b) {
		t.Error("placeholder not stable")
	}
	if b := Placeholder("bob@example.com", 64); bytes.Equal(a, b) {
		t.Error("two JIDs, one placeholder")
	}
	img, err := png.Decode(bytes.NewReader(a))
	if err != nil || img.Bounds().Dx() != 64 {
		t.Fatalf("placeholder: %v %v", img.Bounds(), err)
	}
	// The centre holds the letters (white), a corner the background.
	bg := Background("alice.liddell@example.com")
	if got := color.NRGBAModel.Convert(img.At(1, 1)).(color.NRGBA); got != bg {
		t.Errorf("corner %v, want %v", got, bg)
	}
	white := 0
	for y := range 64 {
		for x := range 64 {
			if r, g, b, _ := img.At(x, y).RGBA(); r > 0xf000 && g > 0xf000 && b > 0xf000 {
				white++
			}
		}
	}
	if white < 50 {
		t.Errorf("only %d white pixels: no letters drawn", white)
	}
	for jid, want := range map[string]string{
		"alice.liddell@example.com": "AL", "bob@example.com": "B", "example.com": "E", "_@x": "?", "élan-vital@x": "ÉV",
	} {
		if got := Initials(jid); got != want {
			t.Errorf("Initials(%q) = %q, want %q", jid, got, want)
		}
	}
}

func TestStore(t *testing.T) {
	s := NewStore(0)
	pic, id, err := Normalize(encoded(t, "png", 40, 40))
	if err != nil {
		t.Fatal(err)
	}
	s.Set("a@x", id, pic)
	s.Set("b@x", id, pic)
	if b, ok := s.Image(id, 32); !ok || len(b) == 0 {
		t.Fatal("stored picture not served")
	}
	s.Remove("a@x")
	if !s.Has(id) {
		t.Error("picture dropped while b@x still shows it")
	}
	s.Remove("b@x")
	if s.Has(id) {
		t.Error("picture kept after its last contact")
	}
}
