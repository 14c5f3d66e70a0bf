package presence

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

// gateStore is a memStore whose commits wait until released, one gate per
// commit, and which fails the test if two commits overlap.
type gateStore struct {
	*memStore
	t       *testing.T
	entered chan string   // the JIDs of each commit, as it starts
	release chan struct{} // one receive lets one commit go on
	mu      sync.Mutex
	busy    bool
}

func newGateStore(t *testing.T) *gateStore {
	return &gateStore{memStore: newMemStore(), t: t, entered: make(chan string, 100),
		release: make(chan struct{})}
}

func (s *gateStore) Write(writes []Write) []error {
	s.mu.Lock()
	if s.busy {
		s.t.Errorf("two commits at once")
	}
	s.busy = true
	s.mu.Unlock()
	jids := make([]string, len(writes))
	for i, w := range writes {
		jids[i] = w.Record.JID
	}
	s.entered <- strings.Join(jids, " ")
	<-s.release
	defer func() {
		s.mu.Lock()
		s.busy = false
		s.mu.Unlock()
	}()
	return s.memStore.Write(writes)
}

// next waits for the next commit to reach the store and returns its JIDs,
// separated by spaces.
func (s *gateStore) next(t *testing.T) string {
	t.Helper()
	select {
	case jids := <-s.entered:
		return jids
	case <-time.After(10 * time.Second):
		t.Fatal("no commit reached the store")
		return ""
	}
}

// within runs fn and fails the test unless it returns within 10 s.
func within(t *testing.T, what string, fn func()) {
	t.Helper()
	done := make(chan struct{})
	go func() { defer close(done); fn() }()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatalf("%s blocked", what)
	}
}

// TestDirectoryWritesDoNotHoldTheLock: while one JID's save is on its way to
// disk, other writes queue for the next commit, reads answer and XMPP input
// goes on; nothing of the pending write is shown before its save returns.
func TestDirectoryWritesDoNotHoldTheLock(t *testing.T) {
	gs := newGateStore(t)
	f := &fixture{t: t, hub: NewMemHub(), clock: &clock{t: t0}}
	d, err := NewDirectory(f.hub, gs, DirectoryOptions{Now: f.clock.Now, ShowMessages: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		go func() { // let whatever is left through, so that Close returns
			for range gs.entered {
				gs.release <- struct{}{}
			}
		}()
		d.Close()
		close(gs.entered)
	})
	f.dir = d
	const alice, bob, carol = "alice@example.com", "bob@example.com", "carol@example.com"

	// bob is subscribed and online over XMPP.
	bobDone := make(chan error, 1)
	go func() { bobDone <- d.SetRosterItem(bob, RosterItem{Subscribed: true}) }()
	gs.next(t)
	gs.release <- struct{}{}
	mustOK(t, <-bobDone)
	d.SetResource(bob, "res", Resource{Status: Available})
	sAlice, sBob := f.follow(alice), f.follow(bob)

	aliceDone := make(chan error, 1)
	go func() {
		_, err := d.SetHTTP(alice, DND, "busy", time.Hour)
		aliceDone <- err
	}()
	if jid := gs.next(t); jid != alice {
		t.Fatalf("save of %s, want alice's", jid)
	}
	// alice's save is under way: the directory is not locked.
	within(t, "XMPP input", func() {
		for i := range 100 {
			d.SetResource(bob, "res", Resource{Status: Away, Message: fmt.Sprint(i)})
		}
	})
	if e := awaitStatus(t, sBob, Away); e.Presence.Message != "99" {
		t.Errorf("bob shows %+v", e.Presence)
	}
	within(t, "a read", func() {
		if p := d.Get(alice); p.Status != Unknown {
			t.Errorf("alice shown before her record is saved: %+v", p)
		}
	})
	quiet(t, sAlice)
	// carol's write queues for the next commit, which starts once alice's
	// returns: one commit at a time.
	carolDone := make(chan error, 1)
	go func() {
		_, err := d.SetHTTP(carol, Away, "", time.Hour)
		carolDone <- err
	}()
	waitFor(t, func() bool {
		d.mu.Lock()
		defer d.mu.Unlock()
		return len(d.dirty) == 1 && d.dirty[0].rec.JID == carol
	})
	select {
	case jids := <-gs.entered:
		t.Fatalf("commit of %s while alice's is under way", jids)
	case err := <-aliceDone:
		t.Fatalf("alice's write returned before its save did: %v", err)
	default:
	}

	gs.release <- struct{}{} // alice's
	mustOK(t, <-aliceDone)
	if jids := gs.next(t); jids != carol {
		t.Fatalf("commit of %s, want carol's", jids)
	}
	gs.release <- struct{}{}
	mustOK(t, <-carolDone)
	if e := awaitStatus(t, sAlice, DND); e.Presence.Message != "busy" {
		t.Errorf("alice shows %+v", e.Presence)
	}
	if p := d.Get(carol); p.Status != Away {
		t.Errorf("carol after her write: %+v", p)
	}
}

// TestDirectoryWritesOfOneJIDInOrder: writes of one JID made while its save
// is under way are saved together by the next save, never two at once, and
// the hub shows them in the order they became durable, the last one last.
func TestDirectoryWritesOfOneJIDInOrder(t *testing.T) {
	gs := newGateStore(t)
	hub := NewMemHub()
	clk := &clock{t: t0}
	d, err := NewDirectory(hub, gs, DirectoryOptions{Now: clk.Now, ShowMessages: true})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	const jid = "alice@example.com"
	s := newSub(hub)
	defer s.Close()
	mustOK(t, s.Add(0, JIDTopic(jid)))
	await(t, s)

	errs := make(chan error, 10)
	go func() {
		_, err := d.SetHTTP(jid, Away, "first", time.Hour)
		errs <- err
	}()
	gs.next(t)
	// Nine more writes queue up behind the first save.
	for i := 2; i <= 10; i++ {
		go func() {
			_, err := d.SetHTTP(jid, DND, fmt.Sprint(i), time.Hour)
			errs <- err
		}()
	}
	waitFor(t, func() bool {
		d.mu.Lock()
		defer d.mu.Unlock()
		return len(d.jids[jid].waiters) == 10
	})
	gs.release <- struct{}{}
	if p := awaitStatus(t, s, Away); p.Presence.Message != "first" {
		t.Errorf("first shown: %+v", p.Presence)
	}
	gs.next(t) // the second save holds all nine
	// The first write is answered without waiting for theirs.
	select {
	case err := <-errs:
		mustOK(t, err)
	case <-time.After(10 * time.Second):
		t.Fatal("the first write waits for the save of the next ones")
	}
	quiet(t, s)
	gs.release <- struct{}{}
	for range 9 {
		mustOK(t, <-errs)
	}
	var last *Entry
	for _, e := range await(t, s) {
		last = e
	}
	r, _ := gs.get(jid)
	d.mu.Lock()
	ver := d.jids[jid].savedVer
	d.mu.Unlock()
	if r.HTTP == nil || ver != 10 {
		t.Fatalf("stored %+v, version %d, want version 10", r, ver)
	}
	// The nine raced for the lock; the one that took it last is stored and shown.
	if last == nil || last.Presence.Message != r.HTTP.Message {
		t.Errorf("last shown %+v, want the stored message %q", last, r.HTTP.Message)
	}
	select {
	case j := <-gs.entered:
		t.Errorf("a third save of %s", j)
	default:
	}
}

// TestDirectoryWritesShareCommits: the writes made while a commit is under
// way share the next one, and each returns only once that one is on disk.
func TestDirectoryWritesShareCommits(t *testing.T) {
	gs := newGateStore(t)
	d, err := NewDirectory(NewMemHub(), gs, DirectoryOptions{Now: (&clock{t: t0}).Now})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	errs := make(chan error, 11)
	write := func(jid string) {
		_, err := d.SetHTTP(jid, Away, "", time.Hour)
		errs <- err
	}
	go write("first@example.com")
	gs.next(t)
	const n = 10
	want := make([]string, n)
	for i := range n {
		want[i] = fmt.Sprintf("user%02d@example.com", i)
		go write(want[i])
	}
	waitFor(t, func() bool {
		d.mu.Lock()
		defer d.mu.Unlock()
		return len(d.dirty) == n
	})
	gs.release <- struct{}{}
	mustOK(t, <-errs)
	jids := strings.Fields(gs.next(t))
	slices.Sort(jids)
	if !slices.Equal(jids, want) {
		t.Fatalf("second commit holds %v, want the %d writes queued meanwhile", jids, n)
	}
	select {
	case err := <-errs:
		t.Fatalf("a write returned before its commit did: %v", err)
	default:
	}
	gs.release <- struct{}{}
	for range n {
		mustOK(t, <-errs)
	}
	for _, jid := range want {
		if _, ok := gs.get(jid); !ok {
			t.Errorf("%s not stored", jid)
		}
	}
}

func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("condition not met within 10 s")
		}
		time.Sleep(100 * time.Microsecond)
	}
}

// TestDirectoryXMPPLastSeenWaitsForItsSave: a contact going offline does not
// make XMPP input wait for the save of its last_seen, and is shown offline
// once that save returned; one whose save fails is shown with the last_seen
// the store holds.
func TestDirectoryXMPPLastSeenWaitsForItsSave(t *testing.T) {
	gs := newGateStore(t)
	hub := NewMemHub()
	clk := &clock{t: t0}
	d, err := NewDirectory(hub, gs, DirectoryOptions{Now: clk.Now})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	const jid = "alice@example.com"
	done := make(chan error, 1)
	go func() { done <- d.SetRosterItem(jid, RosterItem{Subscribed: true}) }()
	gs.next(t)
	gs.release <- struct{}{}
	mustOK(t, <-done)
	d.SetResource(jid, "res", Resource{Status: Available})
	s := newSub(hub)
	defer s.Close()
	mustOK(t, s.Add(0, JIDTopic(jid)))
	await(t, s)

	off := clk.Add(time.Minute)
	within(t, "RemoveResource", func() { d.RemoveResource(jid, "res") })
	gs.next(t)
	quiet(t, s)
	if p := d.Get(jid); p.Status != Available {
		t.Errorf("shown before its last_seen is saved: %+v", p)
	}
	gs.release <- struct{}{}
	if e := awaitStatus(t, s, Offline); !e.Presence.LastSeen.Equal(off) {
		t.Errorf("offline with last_seen %v, want %v", e.Presence.LastSeen, off)
	}

	// Online again, and offline while the disk fails.
	d.SetResource(jid, "res", Resource{Status: Available})
	awaitStatus(t, s, Available)
	gs.setFail(errors.New("disk full"))
	clk.Add(time.Minute)
	within(t, "RemoveResource", func() { d.RemoveResource(jid, "res") })
	gs.next(t)
	gs.release <- struct{}{}
	if e := awaitStatus(t, s, Offline); !e.Presence.LastSeen.Equal(off) {
		t.Errorf("after a failed save: last_seen %v, want the stored %v", e.Presence.LastSeen, off)
	}
}
