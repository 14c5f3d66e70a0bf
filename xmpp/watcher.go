// Package xmpp is the watcher: it logs in to an XMPP server as one account,
// follows the presence of the contacts who opted in and the occupancy of
// chat rooms, and feeds what it learns to a Sink (the presence.Directory).
// It is the only package that imports the XMPP client library.
//
// Connection (dial.go, login.go, conn.go): the watcher dials the server and
// negotiates TLS (STARTTLS or direct) itself, then lets go-xmpp log in
// (SASL, resource binding) through a loopback connection that it relays to
// the server. It parses the server's stream itself (stream.go, stanza.go)
// and writes stanzas through the library. This gives every write a
// deadline, makes login and shutdown cancellable, and keeps what go-xmpp's
// own reader drops: <priority/>, MUC status codes and roster subscription
// states. The library's SCRAM-*-PLUS channel binding is given up, since the
// library no longer sees the TLS layer; plain SCRAM over TLS remains.
//
// Session (session.go): each login asks for the roster, sends presence and
// pings the server; the answer to that ping ends the initial sync (see run).
// Roster pushes (roster.go), subscription requests under the policy
// (subscription.go), contacts' presence per resource (contact.go), rooms
// (muc.go), keepalive pings (ping.go), IQ answers (iq.go) and chat commands
// (commands.go) follow. A lost connection is retried with full-jitter
// exponential backoff (backoff.go).
package xmpp

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"
)

// shutdownWait bounds how long a cancelled watcher waits for the server to
// close the stream after its own unavailable presence and closing tag. The
// whole process has 10 s to stop (SPEC 4.7); a live server answers in
// milliseconds, and a dead one must not eat into that budget.
const shutdownWait = time.Second

// Watcher keeps one XMPP session alive and feeds a Sink.
type Watcher struct {
	cfg       Config
	sink      Sink
	log       *slog.Logger
	connected atomic.Bool
	running   atomic.Bool
}

// New checks cfg and returns a watcher that feeds sink. It does no I/O; Run
// connects.
func New(cfg Config, sink Sink) (*Watcher, error) {
	if sink == nil {
		return nil, errors.New("xmpp: nil sink")
	}
	c, err := cfg.normalize()
	if err != nil {
		return nil, err
	}
	return &Watcher{cfg: c, sink: sink, log: c.Logger}, nil
}

// Connected reports whether the watcher is logged in and has synced its
// roster and presence: the readiness of SPEC 4.7.
func (w *Watcher) Connected() bool { return w.connected.Load() }

// Run connects, keeps the session alive and reconnects with full-jitter
// exponential backoff until ctx is done. Then it sends unavailable presence,
// closes the stream and returns nil.
func (w *Watcher) Run(ctx context.Context) error {
	if !w.running.CompareAndSwap(false, true) {
		return errors.New("xmpp: Run is already running")
	}
	defer w.running.Store(false)
	w.log.Info("xmpp: watcher starting", "config", w.cfg)
	bo := backoff{base: w.cfg.BackoffBase, cap: w.cfg.BackoffCap}
	var watchAsked bool
	for {
		synced, err := w.once(ctx, &watchAsked)
		if ctx.Err() != nil {
			w.log.Info("xmpp: watcher stopped")
			return nil
		}
		if synced {
			bo.reset()
		}
		d := bo.next()
		w.log.Warn("xmpp: disconnected", "err", err, "retry_in", d.Round(time.Millisecond))
		t := time.NewTimer(d)
		select {
		case <-ctx.Done():
			t.Stop()
			w.log.Info("xmpp: watcher stopped")
			return nil
		case <-t.C:
		}
	}
}

// once runs one connection, from dial to close. synced reports whether it
// got as far as a full sync, which resets the backoff.
func (w *Watcher) once(ctx context.Context, watchAsked *bool) (synced bool, err error) {
	l, err := connect(ctx, &w.cfg)
	if err != nil {
		return false, err
	}
	w.log.Info("xmpp: logged in", "jid", l.jid)
	// A session stuck in a write to a stalled server does not see ctx end;
	// once the goodbye has had its time, shutting the link frees it.
	done := make(chan struct{})
	var watchdog sync.WaitGroup
	watchdog.Add(1)
	go func() {
		defer watchdog.Done()
		select {
		case <-done:
			return
		case <-ctx.Done():
		}
		t := time.NewTimer(shutdownWait)
		defer t.Stop()
		select {
		case <-done:
		case <-t.C:
			l.shut()
		}
	}()
	defer func() {
		close(done)
		watchdog.Wait()
	}()
	s := newSession(&w.cfg, w.sink, l, func() { w.connected.Store(true) }, watchAsked)
	defer func() {
		w.connected.Store(false)
		l.close()
		w.sink.Disconnected()
	}()
	err = s.run(ctx)
	if ctx.Err() != nil {
		l.goodbye(shutdownWait)
	}
	return s.synced, err
}
