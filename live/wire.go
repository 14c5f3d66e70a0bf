package live

import (
	"encoding/binary"
	"fmt"
	"net"
	"sync"
	"syscall"
	"time"
	"unsafe"
)

// wsWire is the write side of one upgraded connection. Data frames are
// framed here and written straight to the socket, not through the
// WebSocket library, whose per-frame locking, context checks and buffering
// would cost more than the write itself when one change goes to thousands
// of sockets. The library keeps reading, answering pings and closing; its
// frames reach the socket through Write.
//
// mu keeps whole frames from interleaving: the library's frames are
// control frames, which fit its write buffer (wsWriteBuffer) and so reach
// Write in one call, and every frame written here goes out under mu too,
// completed by whoever holds mu when a write stops part-way.
type wsWire struct {
	conn net.Conn
	raw  syscall.RawConn // nil: the socket cannot be written without blocking

	mu sync.Mutex
	// closed is set once the library's close frame went out: no data frame
	// may follow it (RFC 6455 5.5.1).
	closed bool
}

// attach sets the hijacked connection.
func (w *wsWire) attach(conn net.Conn) {
	w.conn = conn
	if sc, ok := conn.(syscall.Conn); ok {
		if raw, err := sc.SyscallConn(); err == nil {
			w.raw = raw
		}
	}
}

// Write is the library's path to the socket: one whole control frame per
// call. It has no deadline of its own; the library bounds its control
// writes with a timer that closes the connection.
func (w *wsWire) Write(p []byte) (int, error) {
	const opClose = 0x8
	w.mu.Lock()
	defer w.mu.Unlock()
	if len(p) > 0 && p[0]&0x0f == opClose {
		w.closed = true
	}
	return w.conn.Write(p)
}

// tryWriteLocked writes what the socket takes at once and never blocks, so
// it needs no deadline: it returns how much went out, 0 when the socket is
// full or cannot be written without blocking. The caller holds mu.
func (w *wsWire) tryWriteLocked(p []byte) (int, error) {
	if w.raw == nil {
		return 0, nil
	}
	var n uintptr
	var errno syscall.Errno
	err := w.raw.Write(func(fd uintptr) bool {
		// A raw system call, which the scheduler does not see: on a
		// non-blocking socket it cannot block, only take the microseconds
		// the kernel needs, and announcing it (entersyscall) would have
		// the runtime's monitor hand the processor to another thread
		// whenever one outlasts its 20 µs tick, which under fan-out is
		// often.
		n, _, errno = syscall.RawSyscall(syscall.SYS_WRITE, fd, uintptr(unsafe.Pointer(unsafe.SliceData(p))), uintptr(len(p)))
		return true // never wait for the socket: the caller hands off instead
	})
	switch {
	case err != nil:
		return 0, fmt.Errorf("live: websocket write: %w", err)
	case errno == syscall.EAGAIN || errno == syscall.EINTR:
		return 0, nil
	case errno != 0:
		return 0, fmt.Errorf("live: websocket write: %w", errno)
	}
	return int(n), nil
}

// writeLocked writes p whole within wait, then lifts the deadline again so
// that the library's next control frame does not meet a stale one. The
// caller holds mu.
func (w *wsWire) writeLocked(p []byte, wait time.Duration) error {
	_ = w.conn.SetWriteDeadline(time.Now().Add(wait))
	_, err := w.conn.Write(p)
	_ = w.conn.SetWriteDeadline(time.Time{})
	if err != nil {
		return fmt.Errorf("live: websocket write: %w", err)
	}
	return nil
}

// appendFrame appends payload as one final, unmasked text frame (RFC 6455
// 5.2: a server never masks).
func appendFrame(b, payload []byte) []byte {
	const finText = 0x81
	switch n := len(payload); {
	case n < 126:
		b = append(b, finText, byte(n))
	case n <= 0xffff:
		b = append(b, finText, 126)
		b = binary.BigEndian.AppendUint16(b, uint16(n))
	default:
		b = append(b, finText, 127)
		b = binary.BigEndian.AppendUint64(b, uint64(n))
	}
	return append(b, payload...)
}
