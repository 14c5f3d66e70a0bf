package xmpp

import (
	"net"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"badges/internal/testenv"
	"badges/presence"
	"badges/store"
)

func TestChatCommands(t *testing.T) {
	p := testenv.StartProsody(t)
	e := start(t, p, Config{}, presence.DirectoryOptions{})
	jid, c := e.optIn(t, "", "phone")
	must(t, c.SetPresence("away", "Secret plans", 0))
	e.awaitStatus(t, jid, presence.Away, "Secret plans")

	say := func(body, replyHas string) {
		t.Helper()
		must(t, c.Say(e.bot, body))
		c.Await(wait, "reply to "+body, func(s testenv.Stanza) bool {
			return s.Kind == "message" && strings.HasPrefix(s.From, e.bot) && strings.Contains(s.Body, replyHas)
		})
	}
	say("help", "Commands:")
	say("  Hide   Message ", "no longer shown")
	e.awaitStatus(t, jid, presence.Away, "")
	say("opt out", "no longer shown")
	e.awaitPresence(t, jid, "unknown", func(p presence.Presence) bool { return p.Status == presence.Unknown })
	say("opt in", "shown again")
	e.awaitStatus(t, jid, presence.Away, "")
	say("show message", "shown again")
	e.awaitStatus(t, jid, presence.Away, "Secret plans")
	if rec, _ := stored(t, e.store, jid); rec.OptedOut || rec.HideMessage {
		t.Errorf("stored choices %+v, want none", rec)
	}
	say("what?", "Unknown command")

	// Someone who does not share presence cannot make choices.
	other := p.Connect(newUser(t, p, ""), password, "phone")
	must(t, other.Say(e.bot, "opt out"))
	other.Await(wait, "refusal", func(s testenv.Stanza) bool {
		return s.Kind == "message" && strings.Contains(s.Body, "not shared")
	})
}

func TestAnswersRequests(t *testing.T) {
	p := testenv.StartProsody(t)
	e := start(t, p, Config{}, presence.DirectoryOptions{})
	e.awaitConnected(t, true)
	bot := e.bot + "/" + DefaultResource
	c := p.Connect(newUser(t, p, ""), password, "phone")
	if got := c.Ping(bot, wait); got.Type != "result" {
		t.Errorf("ping answered with %+v", got)
	}
	ask := func(id, payload, wantType string) {
		t.Helper()
		must(t, c.SendRaw("<iq type='get' id='"+id+"' to='"+bot+"'>"+payload+"</iq>"))
		got := c.Await(wait, "answer to "+id, func(s testenv.Stanza) bool { return s.Kind == "iq" && s.ID == id })
		if got.Type != wantType {
			t.Errorf("%s: answered %q, want %q", id, got.Type, wantType)
		}
	}
	ask("unknown", "<query xmlns='urn:example:unknown'/>", "error")
	ask("disco", "<query xmlns='"+nsDiscoInfo+"'/>", "result")
	// A roster push from anyone but the account itself is refused and
	// changes nothing.
	forged := newUser(t, p, "")
	must(t, c.SendRaw("<iq type='set' id='forged' to='"+bot+"'><query xmlns='jabber:iq:roster'><item jid='"+
		forged+"' subscription='both'/></query></iq>"))
	if got := c.Await(wait, "answer to forged push", func(s testenv.Stanza) bool { return s.ID == "forged" }); got.Type != "error" {
		t.Errorf("forged roster push answered %q", got.Type)
	}
	if _, ok := e.dir.Record(forged); ok {
		t.Error("a forged roster push made a JID known")
	}
}

func TestWatchAsksForSubscription(t *testing.T) {
	p := testenv.StartProsody(t)
	jid := newUser(t, p, "")
	c := p.Connect(jid, password, "phone")
	e := start(t, p, Config{Policy: PolicyClosed, Watch: []string{jid}}, presence.DirectoryOptions{})
	c.AwaitPresence(wait, e.bot, "subscribe")
	must(t, c.Subscription(e.bot, "subscribed"))
	must(t, c.SetPresence("chat", "Watched", 0))
	e.awaitStatus(t, jid, presence.Chat, "Watched")
	// Under the closed policy a watched JID may still subscribe back.
	must(t, c.Subscription(e.bot, "subscribe"))
	c.AwaitPresence(wait, e.bot, "subscribed")
}

func TestShutdownIsPromptAndPolite(t *testing.T) {
	p := testenv.StartProsody(t)
	e := start(t, p, Config{}, presence.DirectoryOptions{})
	_, c := e.optIn(t, "", "phone")
	began := time.Now()
	e.stop(t)
	c.AwaitPresence(wait, e.bot, "unavailable")
	if e.w.Connected() {
		t.Error("Connected() after Run returned")
	}
	t.Logf("Run returned %v after cancel", time.Since(began))
}

// Stanzas held back for the roster are bounded: past maxHeld the session
// fails instead of growing.
func TestHeldStanzasAreBounded(t *testing.T) {
	u := newUnitSession(t)
	u.rosterID = "r1"
	for i := 0; i < maxHeld; i++ {
		must(t, u.receive(t, `<presence from='u`+strconv.Itoa(i)+`@example.com/phone'/>`))
	}
	if err := u.receive(t, `<presence from='late@example.com/phone'/>`); err == nil {
		t.Errorf("%d stanzas held without a roster, and the session goes on", len(u.held)+1)
	}
	if len(u.held) > maxHeld {
		t.Errorf("%d stanzas held, cap %d", len(u.held), maxHeld)
	}
}

// unitSession is a session without a server: what it sends is recorded,
// and the test hands it stanzas through receive.
type unitSession struct {
	*session
	store *store.Store
	dir   *presence.Directory

	mu   sync.Mutex
	sent strings.Builder
}

// newUnitSession starts a session for bot@example.com that feeds a real
// Directory on a fresh store.
func newUnitSession(t *testing.T) *unitSession {
	t.Helper()
	st, err := store.Open(t.TempDir())
	must(t, err)
	t.Cleanup(func() { st.Close() })
	dir, err := presence.NewDirectory(presence.NewMemHub(), st, presence.DirectoryOptions{ShowMessages: true})
	must(t, err)
	t.Cleanup(dir.Close)
	return attachUnitSession(t, st, dir, &runState{watchAsked: true, leaving: make(map[string]struct{})})
}

// reconnect starts the next session of the same Run: same Directory, same
// state across sessions, a new connection.
func (u *unitSession) reconnect(t *testing.T) *unitSession {
	t.Helper()
	return attachUnitSession(t, u.store, u.dir, u.across)
}

func attachUnitSession(t *testing.T, st *store.Store, dir *presence.Directory, across *runState) *unitSession {
	t.Helper()
	cfg, err := Config{JID: "bot@example.com", Password: password, Logger: testLogger(t)}.normalize()
	must(t, err)
	u := &unitSession{store: st, dir: dir}
	l := &link{conn: &recordConn{u: u}, in: make(chan *stanza), quit: make(chan struct{})}
	u.session = newSession(&cfg, dir, l, func() {}, across)
	t.Cleanup(u.stopRooms)
	return u
}

// recordConn is the session's end of a connection: writes land in the
// unitSession's record at once; nothing else is used.
type recordConn struct {
	net.Conn
	u *unitSession
}

func (c *recordConn) Write(b []byte) (int, error) {
	c.u.mu.Lock()
	defer c.u.mu.Unlock()
	return c.u.sent.Write(b)
}

func (c *recordConn) SetWriteDeadline(time.Time) error { return nil }

// output returns what the session has sent so far.
func (u *unitSession) output() string {
	u.mu.Lock()
	defer u.mu.Unlock()
	return u.sent.String()
}

// receive hands the session one stanza, given as XML in the jabber:client
// namespace of the server's stream.
func (u *unitSession) receive(t *testing.T, x string) error {
	t.Helper()
	r := newStreamReader(strings.NewReader(serverHeader + x))
	st, err := r.next()
	must(t, err)
	return u.handle(st)
}
