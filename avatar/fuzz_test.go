package avatar

import (
	"bytes"
	"image/png"
	"testing"
)

// FuzzNormalize: any bytes are refused with an error or become a square PNG
// of StoredSize; nothing panics.
func FuzzNormalize(f *testing.F) {
	for _, format := range []string{"png", "jpeg", "gif", "webp"} {
		f.Add(encoded(f, format, 12, 7))
	}
	f.Add([]byte("RIFF\x00\x00\x00\x00WEBPVP8 "))
	f.Add([]byte("GIF89a\xff\xff\xff\xff"))
	f.Fuzz(func(t *testing.T, data []byte) {
		out, id, err := Normalize(data)
		if err != nil {
			return
		}
		cfg, err := png.DecodeConfig(bytes.NewReader(out))
		if err != nil || cfg.Width != StoredSize || cfg.Height != StoredSize || id == "" {
			t.Fatalf("Normalize gave %+v, %v, id %q", cfg, err, id)
		}
	})
}

// FuzzPlaceholder: any JID gets a picture of the size asked.
func FuzzPlaceholder(f *testing.F) {
	f.Add("alice@example.com")
	f.Add("\xff@")
	f.Fuzz(func(t *testing.T, jid string) {
		cfg, err := png.DecodeConfig(bytes.NewReader(Placeholder(jid, MinSize)))
		if err != nil || cfg.Width != MinSize {
			t.Fatalf("%+v %v", cfg, err)
		}
	})
}
