package xmpp

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"badges/internal/hubtest"
	"badges/internal/testenv"
	"badges/presence"
)

func TestOptInFollowsEveryStatus(t *testing.T) {
	p := testenv.StartProsody(t)
	e := start(t, p, Config{}, presence.DirectoryOptions{})
	e.awaitConnected(t, true)
	jid, c := e.optIn(t, "", "phone")
	e.awaitStatus(t, jid, presence.Available, "")
	steps := []struct {
		show, text string
		want       presence.Status
	}{
		{"away", "At lunch", presence.Away},
		{"xa", "On holiday", presence.XA},
		{"dnd", "In a meeting", presence.DND},
		{"chat", "Ask me", presence.Chat},
		{"", "Back", presence.Available},
	}
	for _, s := range steps {
		if err := c.SetPresence(s.show, s.text, 0); err != nil {
			t.Fatal(err)
		}
		got := e.awaitStatus(t, jid, s.want, s.text)
		if got.Sources[presence.SourceXMPP] != s.want {
			t.Errorf("sources = %v, want xmpp %s", got.Sources, s.want)
		}
	}
	if got := e.hub.Get(presence.JIDTopic(jid)).Presence; !got.LastSeen.IsZero() {
		t.Errorf("last_seen %v before going offline", got.LastSeen)
	}
	if err := c.Unavailable(); err != nil {
		t.Fatal(err)
	}
	off := e.awaitStatus(t, jid, presence.Offline, "")
	if off.LastSeen.IsZero() {
		t.Fatal("offline without last_seen")
	}
	if rec, ok := stored(t, e.store, jid); !ok || !rec.Subscribed || rec.LastSeen.IsZero() {
		t.Errorf("stored record = %+v, %v; want subscribed with last_seen", rec, ok)
	}
	// The directory publishes through the Hub interface alone: the
	// recording hub saw every step, in order, from the offline of a
	// contact just made.
	want := []presence.Status{presence.Offline, presence.Available}
	for _, s := range steps {
		want = append(want, s.want)
	}
	want = append(want, presence.Offline)
	var got []presence.Status
	for _, en := range e.hub.Published(presence.JIDTopic(jid)) {
		if st := en.Presence.Status; st != presence.Unknown && (len(got) == 0 || got[len(got)-1] != st) {
			got = append(got, st)
		}
	}
	if !slices.Equal(got, want) {
		t.Errorf("published statuses = %v, want %v", got, want)
	}
}

func TestHighestPriorityResourceWins(t *testing.T) {
	p := testenv.StartProsody(t)
	e := start(t, p, Config{}, presence.DirectoryOptions{})
	jid, phone := e.optIn(t, "", "phone")
	desk := p.Connect(jid, password, "desk")
	must(t, phone.SetPresence("dnd", "Busy", 10))
	must(t, desk.SetPresence("", "Around", 5))
	e.awaitStatus(t, jid, presence.DND, "Busy")
	// The desk changes, but the phone still has the higher priority.
	must(t, desk.SetPresence("away", "Later", 5))
	must(t, phone.SetPresence("xa", "Gone", 1))
	e.awaitStatus(t, jid, presence.Away, "Later")
	must(t, desk.Unavailable())
	e.awaitStatus(t, jid, presence.XA, "Gone")
	must(t, phone.Unavailable())
	e.awaitStatus(t, jid, presence.Offline, "")
}

func TestClosedPolicyRefuses(t *testing.T) {
	p := testenv.StartProsody(t)
	e := start(t, p, Config{Policy: PolicyClosed}, presence.DirectoryOptions{})
	e.awaitConnected(t, true)
	jid := newUser(t, p, "")
	c := p.Connect(jid, password, "phone")
	must(t, c.Subscription(e.bot, "subscribe"))
	c.AwaitPresence(wait, e.bot, "unsubscribed")
	// Even a user who pre-approves the bot stays invisible: the bot never
	// asked.
	must(t, c.Subscription(e.bot, "subscribed"))
	must(t, c.SetPresence("dnd", "Hidden", 0))
	assertInvisible(t, e, c)
}

func TestDomainsPolicy(t *testing.T) {
	p := testenv.StartProsody(t)
	e := start(t, p, Config{Policy: PolicyDomains, AllowDomains: []string{p.OtherDomain}}, presence.DirectoryOptions{})
	e.awaitConnected(t, true)
	allowed, c := e.optIn(t, p.OtherDomain, "phone")
	must(t, c.SetPresence("away", "Allowed", 0))
	e.awaitStatus(t, allowed, presence.Away, "Allowed")

	refused := newUser(t, p, p.Domain)
	r := p.Connect(refused, password, "phone")
	must(t, r.Subscription(e.bot, "subscribe"))
	r.AwaitPresence(wait, e.bot, "unsubscribed")
	assertInvisible(t, e, r)
}

func TestUnsubscribeForgets(t *testing.T) {
	for _, tc := range []struct {
		name  string
		leave func(c *testenv.Client, bot string) error
	}{
		{"cancel subscription", func(c *testenv.Client, bot string) error { return c.Subscription(bot, "unsubscribed") }},
		{"unsubscribe", func(c *testenv.Client, bot string) error { return c.Subscription(bot, "unsubscribe") }},
		{"remove contact", func(c *testenv.Client, bot string) error { return c.RemoveContact(bot) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := testenv.StartProsody(t)
			e := start(t, p, Config{}, presence.DirectoryOptions{})
			jid, c := e.optIn(t, "", "phone")
			must(t, c.SetPresence("dnd", "Working", 0))
			e.awaitStatus(t, jid, presence.DND, "Working")
			must(t, c.Unavailable()) // leaves a last_seen to delete
			e.awaitStatus(t, jid, presence.Offline, "")
			must(t, c.SetPresence("", "Leaving", 0))
			e.awaitStatus(t, jid, presence.Available, "Leaving")
			must(t, tc.leave(c, e.bot))
			e.awaitPresence(t, jid, "unknown", func(p presence.Presence) bool { return p.Status == presence.Unknown })
			assertInvisible(t, e, c)
		})
	}
}

// assertInvisible checks that nothing is known or stored of c's JID, once
// the watcher has handled everything c sent.
func assertInvisible(t *testing.T, e *env, c *testenv.Client) {
	t.Helper()
	c.Ping(e.bot+"/"+DefaultResource, wait)
	jid := c.JID
	if got := e.hub.Get(presence.JIDTopic(jid)).Presence; got.Status != presence.Unknown || got.Message != "" {
		t.Errorf("directory shows %+v, want unknown", got)
	}
	if rec, ok := e.dir.Record(jid); ok {
		t.Errorf("directory keeps %+v", rec)
	}
	if rec, ok := stored(t, e.store, jid); ok {
		t.Errorf("store keeps %+v", rec)
	}
}

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// The backoff starts over only after a session that synced and lasted: a
// short one, or one another session of the same resource replaced (two
// instances kicking each other), keeps growing the wait.
func TestBackoffResetsOnlyAfterStableSession(t *testing.T) {
	conflict := fmt.Errorf("xmpp: read: %w", &streamError{condition: "conflict", text: "Replaced by new connection"})
	for _, tc := range []struct {
		name   string
		synced bool
		lasted time.Duration
		err    error
		want   bool
	}{
		{"synced, lasted", true, time.Hour, errors.New("connection reset"), true},
		{"synced, short", true, 2 * time.Second, errors.New("connection reset"), false},
		{"never synced", false, time.Hour, errors.New("connection reset"), false},
		{"replaced by another instance", true, time.Hour, conflict, false},
		{"other stream error", true, time.Hour, &streamError{condition: "system-shutdown"}, true},
	} {
		if got := resetsBackoff(tc.synced, tc.lasted, tc.err); got != tc.want {
			t.Errorf("%s: resets %v, want %v", tc.name, got, tc.want)
		}
	}
}

// BenchmarkPresenceLatency measures the delay from a user's client sending
// a presence to the hub publishing it: through Prosody, the watcher and the
// Directory. Run it with a fixed count, e.g. -benchtime 50x; it reports the
// median and the 90th percentile.
func BenchmarkPresenceLatency(b *testing.B) {
	p := testenv.StartProsody(b)
	e := start(b, p, Config{}, presence.DirectoryOptions{})
	jid, c := e.optIn(b, "", "phone")
	sub := hubtest.Subscribe(e.hub)
	defer sub.Close()
	if err := sub.Add(0, presence.JIDTopic(jid)); err != nil {
		b.Fatal(err)
	}
	<-sub.C()
	sub.Take(nil) // the current value
	var lat []time.Duration
	shows := []string{"away", "dnd"}
	for i := 0; b.Loop(); i++ {
		msg := fmt.Sprintf("change %d", i)
		began := time.Now()
		if err := c.SetPresence(shows[i%2], msg, 0); err != nil {
			b.Fatal(err)
		}
		awaitMessage(b, sub, msg)
		lat = append(lat, time.Since(began))
	}
	slices.Sort(lat)
	pct := func(q float64) float64 {
		return float64(lat[int(q*float64(len(lat)-1))].Microseconds()) / 1000
	}
	b.ReportMetric(pct(0.5), "p50-ms")
	b.ReportMetric(pct(0.9), "p90-ms")
	b.ReportMetric(0, "ns/op") // the loop time includes nothing but waiting
}

func awaitMessage(b *testing.B, sub *hubtest.Chan, msg string) {
	timer := time.NewTimer(wait)
	defer timer.Stop()
	for {
		select {
		case <-sub.C():
			for _, en := range sub.Take(nil) {
				if en.Presence.Message == msg {
					return
				}
			}
		case <-timer.C:
			b.Fatalf("no presence %q within %v", msg, wait)
		}
	}
}

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
