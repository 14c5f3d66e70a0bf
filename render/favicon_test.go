package render

import (
	"bytes"
	"encoding/binary"
	"image/png"
	"testing"
)

func TestFavicon(t *testing.T) {
	ico := Favicon()
	if len(ico) < 22 || binary.LittleEndian.Uint16(ico[2:]) != 1 || binary.LittleEndian.Uint16(ico[4:]) != 1 {
		t.Fatalf("not an ICO header: % x", ico[:min(len(ico), 22)])
	}
	size, off := binary.LittleEndian.Uint32(ico[14:]), binary.LittleEndian.Uint32(ico[18:])
	if int(off)+int(size) != len(ico) {
		t.Fatalf("image at %d+%d, file %d bytes", off, size, len(ico))
	}
	img, err := png.Decode(bytes.NewReader(ico[off:]))
	if err != nil {
		t.Fatal(err)
	}
	if b := img.Bounds(); b.Dx() != 32 || b.Dy() != 32 || ico[6] != 32 || ico[7] != 32 {
		t.Errorf("image %v, entry %dx%d", b.Size(), ico[6], ico[7])
	}
}
