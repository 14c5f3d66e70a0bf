package xmpp

import (
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"sync"
	"sync/atomic"
	"time"
)

// writeTimeout bounds every write to the server. A peer that stops reading
// surfaces as an error after it, long before TCP would give up; it is far
// below the default PingInterval, so a stalled write cannot hide a dead
// connection for longer than the keepalive would.
const writeTimeout = 10 * time.Second

// inboxSize is how many parsed stanzas may wait for the session. The reader
// blocks beyond it, which pushes back on the server through TCP.
const inboxSize = 256

// errLinkClosed marks a link the watcher closed itself.
var errLinkClosed = errors.New("xmpp: connection closed")

// sender is all the watcher needs of the XMPP library once logged in: a way
// to put one stanza on the stream.
type sender interface {
	SendOrg(stanza string) (int, error)
}

// link is one logged-in connection. The watcher owns the connection to the
// server (TLS included) and reads the server's stream itself; the library,
// which logs in and writes stanzas, talks to the server through a loopback
// connection that relay copies, with a deadline on every write. go-xmpp
// offers no deadlines and its reader drops <priority/>, MUC status codes
// and roster subscription states, so the watcher must see the raw stream.
type link struct {
	server net.Conn // to the server; TLS already negotiated
	lib    net.Conn // our end of the library's loopback connection
	out    sender   // the library client, set once logged in
	jid    string   // the full JID the server bound

	in      chan *stanza  // parsed stanzas; closed when reading stops
	quit    chan struct{} // closed when the link shuts
	forward atomic.Bool   // copy server bytes to the library: only during login
	wg      sync.WaitGroup

	errOnce  sync.Once
	firstErr error
	shutOnce sync.Once
}

func newLink(server, lib net.Conn, plainOnly bool) *link {
	l := &link{server: server, lib: lib, in: make(chan *stanza, inboxSize), quit: make(chan struct{})}
	l.forward.Store(true)
	l.wg.Add(2)
	go l.relay()
	go l.read(plainOnly)
	return l
}

// send writes one stanza through the library. The write lands on loopback
// and blocks only while relay is stuck writing to the server, which
// writeTimeout bounds.
func (l *link) send(s string) error {
	if _, err := l.out.SendOrg(s); err != nil {
		return fmt.Errorf("xmpp: send: %w", err)
	}
	return nil
}

// relay copies the library's output to the server.
func (l *link) relay() {
	defer l.wg.Done()
	buf := make([]byte, 16<<10)
	for {
		n, err := l.lib.Read(buf)
		if n > 0 {
			if err := l.server.SetWriteDeadline(time.Now().Add(writeTimeout)); err != nil {
				l.fail(fmt.Errorf("xmpp: write: %w", err))
				return
			}
			if _, err := l.server.Write(buf[:n]); err != nil {
				l.fail(fmt.Errorf("xmpp: write: %w", err))
				return
			}
		}
		if err != nil {
			l.fail(fmt.Errorf("xmpp: library connection: %w", err))
			return
		}
	}
}

// read parses the server's stream into l.in until it fails or ends.
func (l *link) read(plainOnly bool) {
	defer l.wg.Done()
	defer close(l.in)
	r := newStreamReader(forwarder{l}, plainOnly)
	for {
		st, err := r.next()
		if err != nil {
			l.fail(err)
			return
		}
		select {
		case l.in <- st:
		case <-l.quit:
			return
		}
	}
}

// forwarder reads from the server and, while the library logs in, hands
// the same bytes to the library.
type forwarder struct{ l *link }

func (f forwarder) Read(p []byte) (int, error) {
	n, err := f.l.server.Read(p)
	if n > 0 && f.l.forward.Load() {
		// A failed copy is not the session's failure: the login times out
		// on its own if the library misses what it needs.
		if f.l.lib.SetWriteDeadline(time.Now().Add(writeTimeout)) != nil {
			f.l.forward.Store(false)
		} else if _, werr := f.l.lib.Write(p[:n]); werr != nil {
			f.l.forward.Store(false)
		}
	}
	return n, err
}

// fail records the first reason the link ended and shuts it.
func (l *link) fail(err error) {
	l.errOnce.Do(func() { l.firstErr = err })
	l.shut()
}

// err is why the link ended; valid once l.in is closed.
func (l *link) err() error {
	l.errOnce.Do(func() { l.firstErr = errLinkClosed })
	return l.firstErr
}

// shut closes both connections, which ends relay and read.
func (l *link) shut() {
	l.shutOnce.Do(func() {
		close(l.quit)
		// Close the TCP connection under TLS: the stream has its own end
		// marker, and tls.Conn.Close would first try to write an alert
		// for up to five seconds to a peer that may be gone.
		raw := l.server
		if t, ok := raw.(*tls.Conn); ok {
			raw = t.NetConn()
		}
		raw.Close()
		l.lib.Close()
	})
}

// close shuts the link and waits for its goroutines.
func (l *link) close() {
	l.fail(errLinkClosed)
	l.wg.Wait()
}

// goodbye ends the stream politely (RFC 6120 4.4): unavailable presence,
// the closing tag, then a bounded wait for the server's closing tag, which
// also proves the server got ours.
func (l *link) goodbye(wait time.Duration) {
	if l.send(unavailable()) != nil || l.send(endStream) != nil {
		return
	}
	t := time.NewTimer(wait)
	defer t.Stop()
	for {
		select {
		case _, ok := <-l.in:
			if !ok {
				return
			}
		case <-t.C:
			return
		}
	}
}
