package presence

import (
	"testing"
	"time"
)

// TestDirectorySyncGrace: presence that comes after the end of a sync (a
// contact on another server, probed over s2s) keeps the contact as it was:
// no flap to offline, no last_seen written. What is still not announced
// when SyncGrace has passed is dropped, last seen when the connection was
// lost. Contacts on the watcher's own domain, whose presence the server
// sent within the sync, are dropped at once.
func TestDirectorySyncGrace(t *testing.T) {
	store := newMemStore()
	f := newFixture(t, store, DirectoryOptions{StaleAfter: time.Hour, SyncGrace: 50 * time.Millisecond})
	const remote, gone, local = "alice@remote.example", "bob@remote.example", "carol@example.com"
	f.dir.Connected()
	f.dir.BeginSync()
	f.subscribe(remote, Resource{Status: Available})
	f.subscribe(gone, Resource{Status: Away})
	f.subscribe(local, Resource{Status: DND})
	f.dir.EndSync("example.com")
	a, b := f.follow(remote), f.follow(gone)

	lost := f.clock.Add(time.Minute)
	f.dir.Disconnected()
	f.clock.Add(time.Second)
	f.dir.Connected()
	f.dir.BeginSync()
	f.dir.EndSync("example.com") // the server's own presence is in; the probes are not
	f.settle()                   // last_seen is saved before it is shown
	if p := f.dir.Get(local); p.Status != Offline || !p.LastSeen.Equal(lost) {
		t.Errorf("%s, on the watcher's domain, right after the sync: %+v, want offline since the loss", local, p)
	}
	if p := f.dir.Get(remote); p.Status != Available || !p.LastSeen.IsZero() {
		t.Errorf("%s right after the sync: %+v, want still available", remote, p)
	}
	f.clock.Add(time.Second)
	f.dir.SetResource(remote, "res", Resource{Status: Available}) // the probe's answer

	e := awaitStatus(t, b, Offline)
	if !e.Presence.LastSeen.Equal(lost) {
		t.Errorf("%s: last_seen %v, want the loss at %v", gone, e.Presence.LastSeen, lost)
	}
	if rec, _ := store.get(gone); !rec.LastSeen.Equal(lost) {
		t.Errorf("%s: stored last_seen %v, want %v", gone, rec.LastSeen, lost)
	}
	for _, e := range a.Take() {
		if e.Presence.Status != Available {
			t.Errorf("%s flapped: %s", remote, e.JSON)
		}
	}
	if rec, _ := store.get(remote); !rec.LastSeen.IsZero() {
		t.Errorf("%s: last_seen stored %v", remote, rec.LastSeen)
	}
}

// TestDirectorySyncGraceStopped: a disconnect within the grace, or Close,
// stops the grace timer, so nothing is dropped behind the next sync's back
// or after the store was closed.
func TestDirectorySyncGraceStopped(t *testing.T) {
	f := newFixture(t, newMemStore(), DirectoryOptions{SyncGrace: time.Hour})
	const jid = "alice@example.com"
	armed := func() bool {
		f.dir.mu.Lock()
		defer f.dir.mu.Unlock()
		return f.dir.graceT != nil
	}
	f.dir.Connected()
	f.dir.BeginSync()
	f.subscribe(jid, Resource{Status: Away})
	f.dir.EndSync("")
	if !armed() {
		t.Fatal("no grace timer after EndSync")
	}
	f.dir.Disconnected()
	if armed() {
		t.Error("grace timer armed after a disconnect")
	}
	f.dir.Connected()
	f.dir.BeginSync()
	f.dir.EndSync("")
	f.dir.Close()
	if armed() {
		t.Error("grace timer armed after Close")
	}
}
