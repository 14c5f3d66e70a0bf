package xmpp

import (
	"context"
	"fmt"
	"net"
	"os"
	"strings"
	"time"

	goxmpp "github.com/xmppo/go-xmpp"
)

// connect dials the server and logs in; the link it returns is the session's
// only connection.
func connect(ctx context.Context, cfg *Config) (*link, error) {
	server, err := dial(ctx, cfg)
	if err != nil {
		return nil, err
	}
	return login(ctx, cfg, server)
}

// login runs the library's SASL authentication and resource binding over
// server, which dial has already secured. The library only dials by address,
// so it gets a loopback listener whose single connection is relayed to
// server; see link.
func login(ctx context.Context, cfg *Config, server net.Conn) (*link, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		server.Close()
		return nil, fmt.Errorf("xmpp: loopback listener: %w", err)
	}
	defer ln.Close()
	addr := ln.Addr().String()
	if p := proxyFor(addr); p != "" {
		ln.Close()
		server.Close()
		return nil, fmt.Errorf("xmpp: HTTP_PROXY %q would capture the XMPP library's loopback connection to %s: add 127.0.0.1 to NO_PROXY", p, addr)
	}
	opts := goxmpp.Options{
		Host:     addr,
		User:     cfg.JID,
		Password: cfg.Password,
		Resource: cfg.Resource,
		// TLS sits below the library, on the connection dial secured; the
		// library sees only the loopback leg, so it must not negotiate
		// TLS itself and must accept authenticating over that leg.
		NoTLS:                        true,
		InsecureAllowUnencryptedAuth: true,
		// RFC 3921 session establishment, which older servers require
		// and newer ones accept.
		Session: true,
		// The library sends an initial presence with this <show/> while
		// logging in; it matches ownPresence.
		Status:      "chat",
		DialTimeout: dialTimeout,
	}
	type result struct {
		c   *goxmpp.Client
		err error
	}
	res := make(chan result, 1)
	// Owned here: NewClient returns once the login ends or its loopback
	// connection closes, and every path below waits for it.
	go func() {
		c, err := opts.NewClient()
		res <- result{c, err}
	}()

	deadline := time.Now().Add(setupTimeout)
	if tl, ok := ln.(*net.TCPListener); ok {
		tl.SetDeadline(deadline)
	}
	stopAccept := context.AfterFunc(ctx, func() { ln.Close() })
	lib, err := ln.Accept()
	stopAccept()
	ln.Close() // one connection only
	if err != nil {
		server.Close()
		<-res
		return nil, fmt.Errorf("xmpp: accept the library's loopback connection: %w", err)
	}

	l := newLink(server, lib, cfg.TLS == TLSNone)
	timer := time.NewTimer(time.Until(deadline))
	defer timer.Stop()
	var reason error
	select {
	case r := <-res:
		if r.err != nil {
			l.close()
			if e := l.err(); e != errLinkClosed && e != nil {
				return nil, fmt.Errorf("xmpp: login as %s: %w (%v)", cfg.JID, r.err, e)
			}
			return nil, fmt.Errorf("xmpp: login as %s: %w", cfg.JID, r.err)
		}
		l.forward.Store(false)
		l.out, l.jid = r.c, r.c.JID()
		// Reads wait as long as the stream lives (the keepalive watches
		// it); writes get their own deadline in relay.
		if err := server.SetReadDeadline(time.Time{}); err != nil {
			l.close()
			return nil, fmt.Errorf("xmpp: clear read deadline: %w", err)
		}
		return l, nil
	case <-ctx.Done():
		reason = ctx.Err()
	case <-timer.C:
		reason = fmt.Errorf("no answer within %v", setupTimeout)
	case <-l.quit:
		// The server ended the stream; the library's view (say, a SASL
		// failure) is the better explanation.
		l.close()
		if r := <-res; r.err != nil {
			return nil, fmt.Errorf("xmpp: login as %s: %w (%v)", cfg.JID, r.err, l.err())
		}
		return nil, fmt.Errorf("xmpp: login as %s: %w", cfg.JID, l.err())
	}
	l.close()
	<-res // the library fails as soon as its connection closes
	return nil, fmt.Errorf("xmpp: login as %s: %w", cfg.JID, reason)
}

// proxyFor returns the proxy the library would route addr through. go-xmpp
// honours HTTP_PROXY and NO_PROXY (substring match) when it dials.
func proxyFor(addr string) string {
	p := os.Getenv("HTTP_PROXY")
	if p == "" {
		p = os.Getenv("http_proxy")
	}
	if p == "" {
		return ""
	}
	np := os.Getenv("NO_PROXY")
	if np == "" {
		np = os.Getenv("no_proxy")
	}
	for _, s := range strings.Split(np, ",") {
		if np != "" && strings.Contains(strings.ToUpper(addr), strings.ToUpper(s)) {
			return ""
		}
	}
	return p
}
