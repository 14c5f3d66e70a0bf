package xmpp

import (
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"badges/presence"
	"badges/store"
)

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
