package xmpp

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"strconv"
	"time"

	"badges/presence"
)

// Timeouts of connection setup.
const (
	// dialTimeout bounds one TCP connect; with several SRV targets each
	// gets its own, so one dead host does not starve the others.
	dialTimeout = 10 * time.Second
	// setupTimeout bounds TLS, STARTTLS and the login that follows: a
	// server that accepts TCP and then stalls must not hold the watcher
	// longer than a reconnect delay would.
	setupTimeout = 30 * time.Second
)

// XML namespaces of the stream layer (RFC 6120).
const (
	nsStream = "http://etherx.jabber.org/streams"
	nsTLS    = "urn:ietf:params:xml:ns:xmpp-tls"
)

// targets lists the addresses to try in order: the configured server, else
// the SRV records of the domain (RFC 6120 3.2.1; XEP-0368 for direct TLS),
// else the domain on the standard port.
func targets(ctx context.Context, cfg *Config) []string {
	if cfg.Server != "" {
		return []string{cfg.Server}
	}
	domain := presence.Domain(cfg.JID)
	service, port := "xmpp-client", 5222
	if cfg.TLS == TLSDirect {
		service, port = "xmpps-client", 5223
	}
	// LookupSRV sorts by priority and shuffles by weight (RFC 2782).
	_, srvs, err := net.DefaultResolver.LookupSRV(ctx, service, "tcp", domain)
	var out []string
	if err == nil {
		for _, s := range srvs {
			if s.Target == "." { // RFC 2782: the service is decidedly not available
				continue
			}
			out = append(out, net.JoinHostPort(trimDot(s.Target), strconv.Itoa(int(s.Port))))
		}
	}
	if len(out) == 0 {
		out = []string{net.JoinHostPort(domain, strconv.Itoa(port))}
	}
	return out
}

func trimDot(host string) string {
	if n := len(host); n > 0 && host[n-1] == '.' {
		return host[:n-1]
	}
	return host
}

// dial connects to the first target that answers and secures the connection
// as cfg.TLS says. The returned connection carries no stream yet (for
// STARTTLS: a fresh stream is due over TLS, RFC 6120 5.4.3.3).
func dial(ctx context.Context, cfg *Config) (net.Conn, error) {
	var errs []error
	for _, addr := range targets(ctx, cfg) {
		c, err := dialOne(ctx, cfg, addr)
		if err == nil {
			return c, nil
		}
		errs = append(errs, err)
		if ctx.Err() != nil {
			break
		}
	}
	return nil, errors.Join(errs...)
}

func dialOne(ctx context.Context, cfg *Config, addr string) (net.Conn, error) {
	d := net.Dialer{Timeout: dialTimeout}
	c, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("xmpp: dial %s: %w", addr, err)
	}
	if err := c.SetDeadline(time.Now().Add(setupTimeout)); err != nil {
		c.Close()
		return nil, fmt.Errorf("xmpp: %s: set deadline: %w", addr, err)
	}
	// Abort a stalled handshake when ctx ends, not only at the deadline.
	stop := context.AfterFunc(ctx, func() { c.SetDeadline(time.Unix(1, 0)) })
	defer stop()
	var out net.Conn
	switch cfg.TLS {
	case TLSNone:
		if !isLoopback(c.RemoteAddr()) {
			c.Close()
			return nil, fmt.Errorf("xmpp: %s resolved to %v, which is not loopback: refusing plain XMPP", addr, c.RemoteAddr())
		}
		out = c
	case TLSDirect:
		tc := cfg.TLSConfig.Clone()
		if len(tc.NextProtos) == 0 {
			tc.NextProtos = []string{"xmpp-client"} // XEP-0368
		}
		t := tls.Client(c, tc)
		if err := t.HandshakeContext(ctx); err != nil {
			c.Close()
			return nil, fmt.Errorf("xmpp: TLS with %s: %w", addr, err)
		}
		out = t
	default:
		t, err := startTLS(ctx, c, cfg)
		if err != nil {
			c.Close()
			return nil, fmt.Errorf("xmpp: STARTTLS with %s: %w", addr, err)
		}
		out = t
	}
	// The deadline also bounds the login; login clears it when done.
	return out, nil
}

// streamHeader opens a client-to-server stream (RFC 6120 4.2); from is
// the account, or empty before TLS.
func streamHeader(domain, from string) string {
	return "<?xml version='1.0'?><stream:stream" + attr("from", from) + " to='" + esc(domain) +
		"' version='1.0' xml:lang='en' xmlns='" + nsClient + "' xmlns:stream='" + nsStream + "'>"
}

// startTLS negotiates STARTTLS (RFC 6120 5.4) on a plain connection and
// returns the TLS connection. A server that does not offer STARTTLS is
// refused: falling back to plain text would let anyone on the path strip
// the offer.
func startTLS(ctx context.Context, c net.Conn, cfg *Config) (*tls.Conn, error) {
	if _, err := io.WriteString(c, streamHeader(presence.Domain(cfg.JID), "")); err != nil {
		return nil, err
	}
	// The server sends nothing after <proceed/> until our ClientHello, so
	// the reader's read-ahead cannot swallow TLS bytes.
	r := newStreamReader(c)
	se, err := r.element()
	if err != nil {
		return nil, err
	}
	if se.Name.Space != nsStream || se.Name.Local != "features" {
		return nil, fmt.Errorf("<%s xmlns=%q> where features belong", se.Name.Local, se.Name.Space)
	}
	f, err := decodeFeatures(r, &se)
	if err != nil {
		return nil, err
	}
	if !f.startTLS {
		return nil, errors.New("server does not offer STARTTLS (use TLS mode direct, or none on loopback)")
	}
	if _, err := io.WriteString(c, "<starttls xmlns='"+nsTLS+"'/>"); err != nil {
		return nil, err
	}
	if se, err = r.element(); err != nil {
		return nil, err
	}
	if se.Name.Space != nsTLS || se.Name.Local != "proceed" {
		return nil, fmt.Errorf("<%s xmlns=%q> in answer to STARTTLS", se.Name.Local, se.Name.Space)
	}
	t := tls.Client(c, cfg.TLSConfig)
	if err := t.HandshakeContext(ctx); err != nil {
		return nil, err
	}
	return t, nil
}
