package xmpp

import (
	"context"
	"crypto/rand"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"time"

	"badges/presence"
)

// connect dials the server and logs in; the link it returns is the session's
// only connection.
func connect(ctx context.Context, cfg *Config) (*link, error) {
	conn, err := dial(ctx, cfg)
	if err != nil {
		return nil, err
	}
	return login(ctx, cfg, conn)
}

// login negotiates the stream on conn, which dial has secured, up to a bound
// resource (RFC 6120 4.3): SASL, a stream restart, binding, and the legacy
// session where a server still requires it. dial's deadline on conn bounds
// every read and write of it, and the whole login with them; ctx ends it
// early. On failure conn is closed.
func login(ctx context.Context, cfg *Config, conn net.Conn) (*link, error) {
	n := &negotiation{
		cfg: cfg, w: conn, r: newStreamReader(conn),
		ids: idGen{prefix: "login-" + rand.Text()[:8] + "-"},
	}
	if t, ok := conn.(*tls.Conn); ok {
		cs := t.ConnectionState()
		n.tls = &cs
	} else {
		n.plainOK = cfg.TLS == TLSNone && isLoopback(conn.RemoteAddr())
	}
	stop := context.AfterFunc(ctx, func() { conn.SetDeadline(time.Unix(1, 0)) })
	jid, mech, err := n.run()
	if !stop() {
		err = ctx.Err() // the deadline is in the past, whatever run said
	}
	if err == nil {
		// Reads now wait as long as the stream lives (the keepalive
		// watches it); each write gets its own deadline in link.send.
		if err = conn.SetDeadline(time.Time{}); err != nil {
			err = fmt.Errorf("xmpp: clear deadline: %w", err)
		}
	}
	if err != nil {
		closeRaw(conn)
		if ctx.Err() != nil {
			return nil, fmt.Errorf("xmpp: login as %s: %w", cfg.JID, ctx.Err())
		}
		if errors.Is(err, os.ErrDeadlineExceeded) {
			return nil, fmt.Errorf("%w (connection setup is limited to %v)", err, setupTimeout)
		}
		return nil, err
	}
	return newLink(conn, n.r, jid, mech), nil
}

// isLoopback reports whether addr is a loopback TCP address.
func isLoopback(addr net.Addr) bool {
	ta, ok := addr.(*net.TCPAddr)
	return ok && ta.IP.IsLoopback()
}

// negotiation is one login in progress. It runs in the caller's goroutine,
// alone on the connection, so its writes need no lock.
type negotiation struct {
	cfg *Config
	w   io.Writer
	r   *streamReader
	// tls is the state of the connection's TLS; nil in TLS mode none.
	tls *tls.ConnectionState
	// plainOK allows PLAIN without TLS: TLS mode none, to loopback.
	plainOK bool
	ids     idGen
}

func (n *negotiation) write(s string) error {
	_, err := io.WriteString(n.w, s)
	return err
}

// run negotiates the stream and returns the bound full JID and the SASL
// mechanism that logged in.
func (n *negotiation) run() (jid, mech string, err error) {
	f, err := n.open()
	if err != nil {
		return "", "", err
	}
	if n.tls == nil && f.startTLSRequired {
		return "", "", errors.New("xmpp: the server requires TLS: use TLS mode starttls")
	}
	if mech, err = n.authenticate(f); err != nil {
		return "", "", err
	}
	// RFC 6120 6.4.6: the stream starts over on the same connection, and
	// its features now offer binding.
	if f, err = n.open(); err != nil {
		return "", "", err
	}
	if !f.bind {
		return "", "", errors.New("xmpp: the server offers no resource binding after login")
	}
	if jid, err = n.bind(); err != nil {
		return "", "", err
	}
	if f.sessionRequired {
		if err := n.session(); err != nil {
			return "", "", err
		}
	}
	return jid, mech, nil
}

// open sends a stream header and reads the features of the server's stream.
func (n *negotiation) open() (features, error) {
	from := ""
	if n.tls != nil {
		from = n.cfg.JID // RFC 6120 4.7.1: on a secured stream, say who we are
	}
	if err := n.write(streamHeader(presence.Domain(n.cfg.JID), from)); err != nil {
		return features{}, fmt.Errorf("xmpp: open stream: %w", err)
	}
	se, err := n.r.element()
	if err != nil {
		return features{}, fmt.Errorf("xmpp: open stream: %w", err)
	}
	if se.Name.Space != nsStream || se.Name.Local != "features" {
		return features{}, fmt.Errorf("xmpp: open stream: <%s xmlns=%q> where features belong", se.Name.Local, se.Name.Space)
	}
	f, err := decodeFeatures(n.r, &se)
	if err != nil {
		return features{}, fmt.Errorf("xmpp: stream features: %w", err)
	}
	return f, nil
}
