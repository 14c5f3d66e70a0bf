package xmpp

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"sync/atomic"
	"testing"
	"time"

	"badges/internal/hubtest"
	"badges/internal/testenv"
	"badges/presence"
	"badges/store"
)

var _ Sink = (*presence.Directory)(nil)

// wait bounds every wait for a condition in these tests.
const wait = 10 * time.Second

const password = "secret-Passw0rd"

// stored returns what st holds for jid.
func stored(t testing.TB, st *store.Store, jid string) (presence.Record, bool) {
	t.Helper()
	recs, err := st.Records()
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range recs {
		if r.JID == jid {
			return r, true
		}
	}
	return presence.Record{}, false
}

// sink is the real Directory, which also reports each disconnect.
type sink struct {
	*presence.Directory
	disconnects chan struct{}
}

func (s sink) Disconnected() {
	s.Directory.Disconnected()
	select {
	case s.disconnects <- struct{}{}:
	default:
	}
}

// env is one watcher against a test Prosody, feeding a real Directory.
type env struct {
	p     *testenv.Prosody
	hub   *hubtest.Recorder
	store *store.Store
	dir   *presence.Directory
	disc  chan struct{}
	w     *Watcher
	bot   string

	cancel  context.CancelFunc
	done    chan error
	stopped bool
}

var accounts atomic.Int64

// newUser registers a fresh account on domain ("" for the main one).
func newUser(t testing.TB, p *testenv.Prosody, domain string) string {
	t.Helper()
	if domain == "" {
		domain = p.Domain
	}
	return p.Register(fmt.Sprintf("u%d@%s", accounts.Add(1), domain), password)
}

func testLogger(t testing.TB) *slog.Logger {
	if testing.Verbose() && os.Getenv("XMPP_TEST_LOG") != "" {
		return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	return slog.New(slog.NewTextHandler(io.Discard, nil))
}

// start runs a watcher for a fresh bot account. cfg's JID, Password, Server,
// TLS and Logger are filled in unless set.
func start(t testing.TB, p *testenv.Prosody, cfg Config, dopt presence.DirectoryOptions) *env {
	t.Helper()
	return startWith(t, p, cfg, dopt, nil)
}

// startWith is start with the watcher's Sink wrapped by wrap, unless nil.
func startWith(t testing.TB, p *testenv.Prosody, cfg Config, dopt presence.DirectoryOptions, wrap func(Sink) Sink) *env {
	t.Helper()
	st, err := store.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	e := &env{p: p, hub: hubtest.NewRecorder(presence.NewMemHub()), store: st}
	dopt.ShowMessages = true
	if dopt.SyncGrace == 0 {
		// Every contact here is on the test server, which answers within
		// the sync; the grace for s2s probes would only slow tests down.
		dopt.SyncGrace = 50 * time.Millisecond
	}
	e.dir, err = presence.NewDirectory(e.hub, e.store, dopt)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(e.dir.Close)
	if cfg.JID == "" {
		cfg.JID = newUser(t, p, "")
		cfg.Password = password
	}
	if cfg.Server == "" {
		cfg.Server, cfg.TLS = p.Addr, TLSNone
	}
	if cfg.BackoffBase == 0 {
		cfg.BackoffBase, cfg.BackoffCap = 20*time.Millisecond, 200*time.Millisecond
	}
	cfg.Logger = testLogger(t)
	e.bot = cfg.JID
	e.disc = make(chan struct{}, 16)
	var s Sink = sink{e.dir, e.disc}
	if wrap != nil {
		s = wrap(s)
	}
	e.w, err = New(cfg, s)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	e.cancel, e.done = cancel, make(chan error, 1)
	go func() { e.done <- e.w.Run(ctx) }()
	t.Cleanup(func() { e.stop(t) })
	return e
}

// stop cancels the watcher and checks that it returns promptly.
func (e *env) stop(t testing.TB) {
	t.Helper()
	if e.stopped {
		return
	}
	e.stopped = true
	began := time.Now()
	e.cancel()
	select {
	case err := <-e.done:
		if err != nil {
			t.Errorf("Run: %v", err)
		}
		// The process has 10 s to stop (docs/API.md#operations); the watcher must take
		// a small part of it.
		if d := time.Since(began); d > 2*time.Second {
			t.Errorf("Run took %v to return after cancel", d)
		}
	case <-time.After(wait):
		t.Fatal("Run did not return after cancel")
	}
}

// awaitConnected polls the readiness flag until it equals want.
func (e *env) awaitConnected(t testing.TB, want bool) {
	t.Helper()
	deadline := time.Now().Add(wait)
	for e.w.Connected() != want {
		if time.Now().After(deadline) {
			t.Fatalf("Connected() stayed %v for %v", !want, wait)
		}
		time.Sleep(5 * time.Millisecond) // polling interval
	}
}

// awaitDisconnect waits for the watcher to lose its connection.
func (e *env) awaitDisconnect(t testing.TB) {
	t.Helper()
	select {
	case <-e.disc:
	case <-time.After(wait):
		t.Fatalf("no disconnect within %v", wait)
	}
}

// awaitPresence waits until the hub publishes a presence of jid that ok
// accepts, and returns it.
func (e *env) awaitPresence(t testing.TB, jid, what string, ok func(presence.Presence) bool) presence.Presence {
	t.Helper()
	sub := hubtest.Subscribe(e.hub)
	defer sub.Close()
	if err := sub.Add(0, presence.JIDTopic(jid)); err != nil {
		t.Fatal(err)
	}
	timer := time.NewTimer(wait)
	defer timer.Stop()
	last := e.hub.Get(presence.JIDTopic(jid)).Presence
	for {
		select {
		case <-sub.C():
			for _, en := range sub.Take(nil) {
				last = en.Presence
				if ok(last) {
					return last
				}
			}
		case <-timer.C:
			t.Fatalf("%s: no presence %s within %v; last: %+v", jid, what, wait, last)
		}
	}
}

// awaitStatus waits for a status and status text.
func (e *env) awaitStatus(t testing.TB, jid string, st presence.Status, msg string) presence.Presence {
	t.Helper()
	return e.awaitPresence(t, jid, fmt.Sprintf("%s %q", st, msg), func(p presence.Presence) bool {
		return p.Status == st && p.Message == msg
	})
}

// awaitRoom waits for a room's occupant count.
func (e *env) awaitRoom(t testing.TB, room string, n int) {
	t.Helper()
	sub := hubtest.Subscribe(e.hub)
	defer sub.Close()
	if err := sub.Add(0, presence.RoomTopic(room)); err != nil {
		t.Fatal(err)
	}
	timer := time.NewTimer(wait)
	defer timer.Stop()
	last := -1
	for {
		select {
		case <-sub.C():
			for _, en := range sub.Take(nil) {
				if last = en.Room.Occupants; last == n {
					return
				}
			}
		case <-timer.C:
			t.Fatalf("room %s: no count %d within %v; last %d", room, n, wait, last)
		}
	}
}

// optIn has a new user on domain subscribe to the bot and approve the
// bot's request in turn, and waits until the user is visible.
func (e *env) optIn(t testing.TB, domain, resource string) (string, *testenv.Client) {
	t.Helper()
	jid := newUser(t, e.p, domain)
	c := e.p.Connect(jid, password, resource)
	if err := c.Subscription(e.bot, "subscribe"); err != nil {
		t.Fatal(err)
	}
	c.AwaitPresence(wait, e.bot, "subscribe")
	if err := c.Subscription(e.bot, "subscribed"); err != nil {
		t.Fatal(err)
	}
	e.awaitPresence(t, jid, "visible", func(p presence.Presence) bool { return p.Status != presence.Unknown })
	return jid, c
}
