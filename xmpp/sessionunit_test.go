package xmpp

import (
	"net"
	"strings"
	"sync"
	"testing"

	"badges/presence"
	"badges/store"
)

// unitSession is a session without a server: what it sends is recorded,
// and the test hands it stanzas through handle.
type unitSession struct {
	*session
	store *store.Store
	dir   *presence.Directory

	mu   sync.Mutex
	sent strings.Builder
}

// newUnitSession starts a session for bot@example.com that feeds a real
// Directory on a fresh store, or sink if it is not nil.
func newUnitSession(t *testing.T, sink func(*presence.Directory) Sink) *unitSession {
	t.Helper()
	st, err := store.Open(t.TempDir())
	must(t, err)
	t.Cleanup(func() { st.Close() })
	dir, err := presence.NewDirectory(presence.NewMemHub(), st, presence.DirectoryOptions{ShowMessages: true})
	must(t, err)
	t.Cleanup(dir.Close)
	cfg, err := Config{JID: "bot@example.com", Password: password, Logger: testLogger(t)}.normalize()
	must(t, err)
	client, server := net.Pipe()
	u := &unitSession{store: st, dir: dir}
	done := make(chan struct{})
	go func() {
		defer close(done)
		buf := make([]byte, 4096)
		for {
			n, err := server.Read(buf)
			u.mu.Lock()
			u.sent.Write(buf[:n])
			u.mu.Unlock()
			if err != nil {
				return // the client side closed
			}
		}
	}()
	t.Cleanup(func() { client.Close(); <-done })
	l := &link{conn: client, in: make(chan *stanza), quit: make(chan struct{})}
	asked := true
	var s Sink = dir
	if sink != nil {
		s = sink(dir)
	}
	u.session = newSession(&cfg, s, l, func() {}, &asked)
	return u
}

// output returns what the session has sent so far. net.Pipe is
// synchronous: a send has returned only once the reader took its bytes.
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
