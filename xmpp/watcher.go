// Package xmpp is the watcher: it logs in to an XMPP server as one account,
// follows the presence of the contacts who opted in and the occupancy of
// chat rooms, and feeds what it learns to a Sink (the presence.Directory).
//
// Connection (dial.go, login.go, conn.go): the watcher owns its stream from
// the first byte. It dials the server, negotiates TLS (STARTTLS or direct
// TLS), then logs in itself: SASL with mellium.im/sasl (sasl.go; SCRAM with
// channel binding where the server supports it, then SCRAM, then PLAIN over
// TLS or to loopback only), the stream restart, resource binding and, for
// servers that still require it, the legacy session (bind.go). It parses the
// server's stream with encoding/xml (stream.go, features.go, stanza.go) and
// writes stanzas as text (send.go) straight to the connection, each write
// with a deadline. Owning the stream makes login and shutdown cancellable
// and keeps what a general-purpose client library would drop: <priority/>,
// MUC status codes and roster subscription states.
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
// whole process has 10 s to stop (docs/API.md#operations); a live server answers in
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
// roster and presence: the readiness of docs/API.md#operations.
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
	rs := &runState{leaving: make(map[string]struct{}), rich: newRichState()}
	for {
		began := time.Now()
		synced, err := w.once(ctx, rs)
		if ctx.Err() != nil {
			w.log.Info("xmpp: watcher stopped")
			return nil
		}
		if resetsBackoff(synced, time.Since(began), err) {
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

// stableSession is how long a synced session must have lasted for the
// backoff to start over. Shorter ones are a loop in the making: two
// instances on one resource replace each other (stream error conflict) at
// once after each login, and would do so every BackoffBase for ever.
const stableSession = time.Minute

// resetsBackoff says whether a session that ended with err, having lasted
// d, starts the backoff over: only one that synced, lasted stableSession,
// and was not replaced by another session of the same resource.
func resetsBackoff(synced bool, d time.Duration, err error) bool {
	var se *streamError
	if errors.As(err, &se) && se.condition == "conflict" {
		return false
	}
	return synced && d >= stableSession
}

// once runs one connection, from dial to close. synced reports whether it
// got as far as a full sync, which resets the backoff.
func (w *Watcher) once(ctx context.Context, rs *runState) (synced bool, err error) {
	l, err := connect(ctx, &w.cfg)
	if err != nil {
		return false, err
	}
	w.log.Info("xmpp: logged in", "jid", l.jid, "sasl", l.mech)
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
	s := newSession(&w.cfg, w.sink, l, func() { w.connected.Store(true) }, rs)
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
