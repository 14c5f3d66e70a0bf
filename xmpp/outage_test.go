package xmpp

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"net"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"badges/internal/testenv"
	"badges/presence"
)

func TestRecoversAfterServerRestart(t *testing.T) {
	p := testenv.StartProsody(t)
	e := start(t, p, Config{}, presence.DirectoryOptions{StaleAfter: 300 * time.Millisecond})
	jid, c := e.optIn(t, "", "phone")
	must(t, c.SetPresence("dnd", "Before", 0))
	e.awaitStatus(t, jid, presence.DND, "Before")

	p.Kill()
	e.awaitDisconnect(t)
	if e.w.Connected() {
		t.Error("Connected() while the server is down")
	}
	// -stale-after: XMPP-derived statuses turn unknown while disconnected.
	e.awaitPresence(t, jid, "unknown (stale)", func(p presence.Presence) bool { return p.Status == presence.Unknown })

	p.Start()
	e.awaitConnected(t, true)
	// The user's client died with the server: after the sync, offline.
	e.awaitStatus(t, jid, presence.Offline, "")
	c2 := p.Connect(jid, password, "phone")
	must(t, c2.SetPresence("away", "After", 0))
	e.awaitStatus(t, jid, presence.Away, "After")
}

func TestPingDetectsDeadConnection(t *testing.T) {
	p := testenv.StartProsody(t)
	bh := newBlackhole(t, p.Addr)
	e := start(t, p, Config{Server: bh.addr(), TLS: TLSNone, PingInterval: 400 * time.Millisecond}, presence.DirectoryOptions{})
	jid, c := e.optIn(t, "", "phone")
	bh.swallow() // the connection stays open but nothing gets through
	e.awaitDisconnect(t)
	e.awaitConnected(t, true)
	must(t, c.SetPresence("xa", "Still here", 0))
	e.awaitStatus(t, jid, presence.XA, "Still here")
}

func TestTLSLogins(t *testing.T) {
	p := testenv.StartProsody(t)
	for _, tc := range []struct {
		mode TLSMode
		addr string
	}{{TLSStartTLS, p.Addr}, {TLSDirect, p.DirectTLSAddr}} {
		t.Run(string(tc.mode), func(t *testing.T) {
			e := start(t, p, Config{Server: tc.addr, TLS: tc.mode, TLSConfig: p.TLSConfig()}, presence.DirectoryOptions{})
			jid, c := e.optIn(t, "", "phone")
			must(t, c.SetPresence("dnd", "Encrypted", 0))
			e.awaitStatus(t, jid, presence.DND, "Encrypted")
		})
		t.Run(string(tc.mode)+" untrusted", func(t *testing.T) {
			cfg, err := Config{
				JID: newUser(t, p, ""), Password: password, Server: tc.addr, TLS: tc.mode,
				TLSConfig: &tls.Config{RootCAs: x509.NewCertPool()},
			}.normalize()
			must(t, err)
			ctx, cancel := context.WithTimeout(context.Background(), wait)
			defer cancel()
			l, err := connect(ctx, &cfg)
			if err == nil {
				l.close()
				t.Fatal("logged in over TLS with an untrusted certificate")
			}
			var ua x509.UnknownAuthorityError
			if !errors.As(err, &ua) {
				t.Errorf("err = %v, want an unknown authority", err)
			}
		})
	}
}

// blackhole relays TCP connections to a target until swallow makes the
// connections open so far drop every byte, like a network path that died
// without a reset. Later connections work.
type blackhole struct {
	ln     net.Listener
	target string
	mu     sync.Mutex
	conns  []*hole
	wg     sync.WaitGroup
}

type hole struct {
	dead atomic.Bool
	a, b net.Conn
}

func newBlackhole(t *testing.T, target string) *blackhole {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	must(t, err)
	bh := &blackhole{ln: ln, target: target}
	bh.wg.Add(1)
	go bh.accept()
	t.Cleanup(func() {
		ln.Close()
		bh.mu.Lock()
		for _, h := range bh.conns {
			h.a.Close()
			h.b.Close()
		}
		bh.mu.Unlock()
		bh.wg.Wait()
	})
	return bh
}

func (bh *blackhole) addr() string { return bh.ln.Addr().String() }

func (bh *blackhole) accept() {
	defer bh.wg.Done()
	for {
		a, err := bh.ln.Accept()
		if err != nil {
			return
		}
		b, err := net.Dial("tcp", bh.target)
		if err != nil {
			a.Close()
			continue
		}
		h := &hole{a: a, b: b}
		bh.mu.Lock()
		bh.conns = append(bh.conns, h)
		bh.mu.Unlock()
		bh.wg.Add(2)
		go bh.pipe(h, a, b)
		go bh.pipe(h, b, a)
	}
}

func (bh *blackhole) pipe(h *hole, from, to net.Conn) {
	defer bh.wg.Done()
	defer from.Close()
	defer to.Close()
	buf := make([]byte, 32<<10)
	for {
		n, err := from.Read(buf)
		if n > 0 && !h.dead.Load() {
			if _, err := to.Write(buf[:n]); err != nil {
				return
			}
		}
		if err != nil {
			return
		}
	}
}

func (bh *blackhole) swallow() {
	bh.mu.Lock()
	defer bh.mu.Unlock()
	for _, h := range bh.conns {
		h.dead.Store(true)
	}
}

func TestShutdownWithDeadConnection(t *testing.T) {
	p := testenv.StartProsody(t)
	bh := newBlackhole(t, p.Addr)
	e := start(t, p, Config{Server: bh.addr(), TLS: TLSNone}, presence.DirectoryOptions{})
	e.awaitConnected(t, true)
	bh.swallow() // the server will never close the stream in answer to ours
	e.stop(t)    // fails if Run takes more than 2 s
}
