package wsload

import (
	"bytes"
	"encoding/binary"
	"testing"
)

func TestParseFrame(t *testing.T) {
	long := bytes.Repeat([]byte{'y'}, 300)
	huge := bytes.Repeat([]byte{'z'}, 70000)
	frame := func(op byte, p []byte) []byte {
		switch n := len(p); {
		case n < 126:
			return append([]byte{0x80 | op, byte(n)}, p...)
		case n <= 0xffff:
			return append(binary.BigEndian.AppendUint16([]byte{0x80 | op, 126}, uint16(n)), p...)
		default:
			return append(binary.BigEndian.AppendUint64([]byte{0x80 | op, 127}, uint64(n)), p...)
		}
	}
	for _, p := range [][]byte{nil, []byte("hi"), long, huge} {
		f := frame(0x1, p)
		if op, got, size := parseFrame(f); op != 0x1 || !bytes.Equal(got, p) || size != len(f) {
			t.Errorf("%d-byte payload: op %x, %d bytes, size %d of %d", len(p), op, len(got), size, len(f))
		}
		// Every cut short of the whole frame waits for more.
		for _, cut := range []int{0, 1, 2, 3, 9, len(f) - 1} {
			if cut < len(f) {
				if _, _, size := parseFrame(f[:cut]); size != 0 {
					t.Errorf("%d-byte payload cut at %d: size %d, want 0", len(p), cut, size)
				}
			}
		}
	}
}

// frames hands each text frame to onFrame, keeps a partial one for later
// and stops at a close frame.
func TestFrames(t *testing.T) {
	var got []string
	onFrame := func(p []byte) { got = append(got, string(p)) }
	r := &rawConn{fd: -1}
	b := []byte{0x81, 1, 'a', 0x81, 1, 'b', 0x81, 2, 'c'}
	tail, ok := r.frames(b, onFrame)
	if !ok || string(tail) != string([]byte{0x81, 2, 'c'}) || len(got) != 2 || got[0] != "a" || got[1] != "b" {
		t.Fatalf("frames: %q %v, tail %q", got, ok, tail)
	}
	if _, ok := r.frames([]byte{0x88, 0}, onFrame); ok {
		t.Error("a close frame did not end the connection")
	}
}
