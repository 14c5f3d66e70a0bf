package xmpp

import (
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"sync"
	"time"
)

// writeTimeout bounds every write to the server once logged in. A peer that
// stops reading surfaces as an error after it, long before TCP would give
// up; it is far below the default PingInterval, so a stalled write cannot
// hide a dead connection for longer than the keepalive would.
const writeTimeout = 10 * time.Second

// inboxSize is how many parsed stanzas may wait for the session. The reader
// blocks beyond it, which pushes back on the server through TCP.
const inboxSize = 256

// errLinkClosed marks a link the watcher closed itself.
var errLinkClosed = errors.New("xmpp: connection closed")

// link is one logged-in connection: the watcher's own stream on a
// connection it dialled, secured and logged in on itself. One goroutine
// reads stanzas into in; the session writes through send.
type link struct {
	conn net.Conn // TLS already negotiated, unless in TLS mode none
	jid  string   // the full JID the server bound
	mech string   // the SASL mechanism that logged in

	wmu sync.Mutex // one stanza at a time on the wire

	in   chan *stanza  // parsed stanzas; closed when reading stops
	quit chan struct{} // closed when the link shuts
	wg   sync.WaitGroup

	errOnce  sync.Once
	firstErr error
	shutOnce sync.Once
}

// newLink starts reading the stream of a logged-in connection; r is the
// reader the login used, which may hold bytes the server sent after it.
func newLink(conn net.Conn, r *streamReader, jid, mech string) *link {
	l := &link{conn: conn, jid: jid, mech: mech, in: make(chan *stanza, inboxSize), quit: make(chan struct{})}
	l.wg.Add(1)
	go l.read(r)
	return l
}

// send writes one stanza, giving up after writeTimeout.
func (l *link) send(s string) error {
	l.wmu.Lock()
	defer l.wmu.Unlock()
	if err := l.conn.SetWriteDeadline(time.Now().Add(writeTimeout)); err != nil {
		return fmt.Errorf("xmpp: send: %w", err)
	}
	if _, err := io.WriteString(l.conn, s); err != nil {
		return fmt.Errorf("xmpp: send: %w", err)
	}
	return nil
}

// read parses the server's stream into l.in until it fails or ends.
func (l *link) read(r *streamReader) {
	defer l.wg.Done()
	defer close(l.in)
	for {
		st, err := r.next()
		if err != nil {
			l.fail(fmt.Errorf("xmpp: read: %w", err))
			return
		}
		select {
		case l.in <- st:
		case <-l.quit:
			return
		}
	}
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

// shut closes the connection, which ends read and any blocked send.
func (l *link) shut() {
	l.shutOnce.Do(func() {
		close(l.quit)
		closeRaw(l.conn)
	})
}

// closeRaw closes the TCP connection under TLS: the stream has its own end
// marker, and tls.Conn.Close would first try to write an alert for up to
// five seconds to a peer that may be gone.
func closeRaw(c net.Conn) {
	if t, ok := c.(*tls.Conn); ok {
		c = t.NetConn()
	}
	c.Close()
}

// close shuts the link and waits for its reader.
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
