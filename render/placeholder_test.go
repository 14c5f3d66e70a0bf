package render

import (
	"bytes"
	"image/png"
	"testing"
)

func TestPlaceholderInitials(t *testing.T) {
	for jid, want := range map[string]string{
		"alice.smith@example.com": "AS",
		"bob@example.com":         "B",
		"x-y-z@example.com":       "XY",
		"example.com":             "EC",
		"élodie@example.com":      "É",
		"__@example.com":          "?",
	} {
		if got := placeholderInitials(jid); got != want {
			t.Errorf("placeholderInitials(%q) = %q, want %q", jid, got, want)
		}
	}
}

// The placeholder depends on the JID alone: the same JID, the same bytes;
// another JID, other bytes.
func TestAvatarPlaceholder(t *testing.T) {
	a := AvatarPlaceholder("alice@example.com", 64)
	if b := AvatarPlaceholder("alice@example.com", 64); !bytes.Equal(a.Body, b.Body) || a.ETag != b.ETag {
		t.Error("two placeholders of one JID differ")
	}
	if c := AvatarPlaceholder("carol@example.com", 64); bytes.Equal(a.Body, c.Body) {
		t.Error("two JIDs got the same placeholder")
	}
	for _, size := range []int{1, 16, 128, 9999} {
		img, err := png.Decode(bytes.NewReader(AvatarPlaceholder("alice@example.com", size).Body))
		if err != nil {
			t.Fatal(err)
		}
		want := min(max(size, 16), 512)
		if b := img.Bounds(); b.Dx() != want || b.Dy() != want {
			t.Errorf("size %d: got %v, want %dx%d", size, b.Size(), want, want)
		}
	}
}
