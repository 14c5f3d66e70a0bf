package wsload

import (
	"encoding/binary"
	"errors"
	"fmt"
	"syscall"
	"time"
)

// The fleet's connections are read by a few epoll loops rather than a
// goroutine each, so that the generator costs as little as it can of the
// CPU it shares with the server under test. A goroutine per connection
// costs a scheduler round trip and two read calls per frame (the second
// one finding nothing and parking); an edge-triggered epoll loop costs one
// read per frame and an epoll_wait per batch of ready sockets.

// rawConn is one connection taken from Go's poller, owned by one loop.
type rawConn struct {
	fd   int
	rest []byte // the start of a frame that has not arrived whole
}

// detach moves c's socket out of Go's poller: the descriptor is duplicated
// and the original closed, which unregisters it, so that only the fleet's
// own epoll is told about its data. Bytes already buffered come along.
func (c *Client) detach() (*rawConn, error) {
	sc, ok := c.conn.(syscall.Conn)
	if !ok {
		return nil, errors.New("wsload: not a socket")
	}
	raw, err := sc.SyscallConn()
	if err != nil {
		return nil, fmt.Errorf("wsload: %w", err)
	}
	fd := -1
	var derr error
	if err := raw.Control(func(s uintptr) { fd, derr = syscall.Dup(int(s)) }); err != nil || derr != nil {
		return nil, fmt.Errorf("wsload: dup: %v %v", err, derr)
	}
	syscall.CloseOnExec(fd)
	r := &rawConn{fd: fd}
	if n := c.br.Buffered(); n > 0 {
		b, _ := c.br.Peek(n)
		r.rest = append([]byte(nil), b...)
	}
	c.conn.Close()
	return r, nil
}

// loop reads the connections registered with its epoll instance.
type loop struct {
	epfd  int
	conns map[int32]*rawConn
}

func newLoop() (*loop, error) {
	epfd, err := syscall.EpollCreate1(syscall.EPOLL_CLOEXEC)
	if err != nil {
		return nil, fmt.Errorf("wsload: epoll: %w", err)
	}
	return &loop{epfd: epfd, conns: make(map[int32]*rawConn)}, nil
}

// add registers r, edge-triggered: epoll reports new data once and does
// not poll the socket again on the next wait (level-triggered, it would).
// read therefore drains the socket each time.
func (l *loop) add(r *rawConn) error {
	const edgeTriggered = 1 << 31 // syscall.EPOLLET, negative there as an int
	ev := syscall.EpollEvent{Events: syscall.EPOLLIN | syscall.EPOLLRDHUP | edgeTriggered, Fd: int32(r.fd)}
	if err := syscall.EpollCtl(l.epfd, syscall.EPOLL_CTL_ADD, r.fd, &ev); err != nil {
		return fmt.Errorf("wsload: epoll add: %w", err)
	}
	l.conns[int32(r.fd)] = r
	return nil
}

// run reads until stop reports true, checking it at least every
// pollMillis; onFrame sees every text frame. After a wake-up that found
// frames it sleeps for batch before it looks again, unless the wake-up
// filled its event list, so that one wake-up handles the frames of many
// sockets: waking for every frame (batch 0) costs the generator about
// twice the CPU, and the server's writes the cost of waking it. The sleep
// can only add to the latencies measured, never take from them.
func (l *loop) run(stop func() bool, batch time.Duration, onFrame func([]byte)) {
	const pollMillis = 100
	events := make([]syscall.EpollEvent, 256)
	buf := make([]byte, 64<<10)
	wait := pollMillis
	for !stop() {
		n, err := syscall.EpollWait(l.epfd, events, wait)
		if err != nil {
			continue // EINTR
		}
		for _, ev := range events[:n] {
			r := l.conns[ev.Fd]
			if r != nil && !r.read(buf, onFrame) {
				_ = syscall.EpollCtl(l.epfd, syscall.EPOLL_CTL_DEL, r.fd, nil)
				delete(l.conns, ev.Fd)
			}
		}
		wait = pollMillis
		if n > 0 && batch > 0 {
			wait = 0 // after the sleep, look without blocking
			if n < len(events) {
				time.Sleep(batch)
			}
		}
	}
}

// close closes every connection and the epoll instance.
func (l *loop) close() {
	for _, r := range l.conns {
		syscall.Close(r.fd)
	}
	syscall.Close(l.epfd)
}

// read drains the socket and handles the whole frames in it; false: the
// connection is over. A read that fills less than buf has emptied the
// socket (epoll(7) on stream sockets), so one read per frame is the rule.
func (r *rawConn) read(buf []byte, onFrame func([]byte)) bool {
	for {
		n, err := syscall.Read(r.fd, buf)
		switch {
		case err == syscall.EINTR:
			continue
		case err == syscall.EAGAIN:
			return true
		case err != nil || n == 0:
			return false
		}
		b := buf[:n]
		if len(r.rest) > 0 {
			b = append(r.rest, b...)
		}
		tail, ok := r.frames(b, onFrame)
		if !ok || len(tail) > maxFrame {
			return false
		}
		r.rest = append(r.rest[:0], tail...)
		if len(r.rest) == 0 {
			r.rest = nil // most connections never hold a partial frame
		}
		if n < len(buf) {
			return true
		}
	}
}

// frames handles the whole frames at the start of b and returns the rest.
func (r *rawConn) frames(b []byte, onFrame func([]byte)) ([]byte, bool) {
	for {
		op, payload, size := parseFrame(b)
		if size == 0 {
			return b, true
		}
		switch op {
		case 0x1:
			onFrame(payload)
		case 0x8:
			return nil, false
		case 0x9:
			// A masked pong with a zero key carries the payload as it is;
			// a full socket drops it, which a benchmark can afford.
			pong := append([]byte{0x80 | 0xA, 0x80 | byte(len(payload)), 0, 0, 0, 0}, payload...)
			_, _ = syscall.Write(r.fd, pong)
		}
		b = b[size:]
	}
}

// parseFrame reads one unmasked server frame at the start of b: its
// opcode, payload and whole size, or size 0 when b does not hold it all.
func parseFrame(b []byte) (op byte, payload []byte, size int) {
	if len(b) < 2 {
		return 0, nil, 0
	}
	n, at := uint64(b[1]&0x7f), 2
	switch n {
	case 126:
		if len(b) < 4 {
			return 0, nil, 0
		}
		n, at = uint64(binary.BigEndian.Uint16(b[2:])), 4
	case 127:
		if len(b) < 10 {
			return 0, nil, 0
		}
		n, at = binary.BigEndian.Uint64(b[2:]), 10
	}
	if uint64(len(b)-at) < n {
		return 0, nil, 0
	}
	end := at + int(n)
	return b[0] & 0x0f, b[at:end], end
}

// close closes a connection no loop has taken.
func (r *rawConn) close() { syscall.Close(r.fd) }
