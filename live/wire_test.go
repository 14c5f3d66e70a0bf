package live

import (
	"bytes"
	"encoding/binary"
	"testing"
)

// appendFrame picks the shortest length encoding of RFC 6455 5.2 at each
// boundary, unmasked, final, text.
func TestAppendFrame(t *testing.T) {
	for _, tc := range []struct {
		n      int
		header []byte
	}{
		{0, []byte{0x81, 0}},
		{125, []byte{0x81, 125}},
		{126, []byte{0x81, 126, 0, 126}},
		{0xffff, []byte{0x81, 126, 0xff, 0xff}},
		{0x10000, binary.BigEndian.AppendUint64([]byte{0x81, 127}, 0x10000)},
	} {
		payload := bytes.Repeat([]byte{'x'}, tc.n)
		got := appendFrame([]byte("kept"), payload)
		want := append(append([]byte("kept"), tc.header...), payload...)
		if !bytes.Equal(got, want) {
			t.Errorf("%d bytes: header %x, want %x", tc.n, got[4:min(len(got), 4+len(tc.header))], tc.header)
		}
	}
}
