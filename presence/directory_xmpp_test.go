package presence

import (
	"errors"
	"slices"
	"testing"
	"time"
)

// TestDirectorySyncRoster: a roster sync forgets contacts that are gone or
// no longer subscribed, deletes what is stored of them, and rebuilds the
// groups.
func TestDirectorySyncRoster(t *testing.T) {
	store := newMemStore()
	f := newFixture(t, store, DirectoryOptions{ShowMessages: true})
	mustOK(t, f.dir.SyncRoster(map[string]RosterItem{
		"alice@example.com": {Subscribed: true, Groups: []string{"Team", "Friends"}},
		"bob@example.com":   {Subscribed: true, Groups: []string{"Team"}},
		"carol@example.com": {Subscribed: true},
		"dave@example.com":  {Subscribed: false, Groups: []string{"Team"}}, // asked, not yet accepted
	}))
	if got := f.dir.Groups(); !slices.Equal(got, []string{"Friends", "Team"}) {
		t.Errorf("Groups = %v", got)
	}
	if got := f.dir.Group("Team"); !slices.Equal(got, []string{"alice@example.com", "bob@example.com"}) {
		t.Errorf("Group(Team) = %v", got)
	}
	f.dir.SetResource("bob@example.com", "res", Resource{Status: Away})
	f.dir.RemoveResource("bob@example.com", "res") // bob now has a stored last_seen
	if _, ok := store.get("bob@example.com"); !ok {
		t.Fatal("bob not stored")
	}
	if _, ok := store.get("dave@example.com"); ok {
		t.Error("an unsubscribed contact was stored")
	}

	mustOK(t, f.dir.SyncRoster(map[string]RosterItem{
		"alice@example.com": {Subscribed: true, Groups: []string{"Team"}},
		"carol@example.com": {Subscribed: false},
	}))
	for _, jid := range []string{"bob@example.com", "carol@example.com"} {
		if _, ok := store.get(jid); ok {
			t.Errorf("%s still stored", jid)
		}
		if _, ok := f.dir.Record(jid); ok {
			t.Errorf("%s still known", jid)
		}
		if p := f.dir.Get(jid); p.Status != Unknown {
			t.Errorf("%s: %+v", jid, p)
		}
	}
	if got := f.dir.Groups(); !slices.Equal(got, []string{"Team"}) {
		t.Errorf("Groups = %v", got)
	}
	if got := f.dir.Group("Team"); !slices.Equal(got, []string{"alice@example.com"}) {
		t.Errorf("Group(Team) = %v", got)
	}

	// Roster pushes move a contact between groups.
	mustOK(t, f.dir.SetRosterItem("alice@example.com", RosterItem{Subscribed: true, Groups: []string{"Home"}}))
	if got := f.dir.Groups(); !slices.Equal(got, []string{"Home"}) {
		t.Errorf("Groups after push = %v", got)
	}
	mustOK(t, f.dir.RemoveRosterItem("alice@example.com"))
	if got := f.dir.Groups(); len(got) != 0 {
		t.Errorf("Groups after removal = %v", got)
	}
}

// TestDirectoryRosterKeepsHTTP: a roster item without a subscription says
// nothing about presence pushed over HTTP: it must not delete it.
func TestDirectoryRosterKeepsHTTP(t *testing.T) {
	store := newMemStore()
	f := newFixture(t, store, DirectoryOptions{ShowMessages: true})
	const jid = "alice@example.com"
	if _, err := f.dir.SetHTTP(jid, Away, "x", time.Hour); err != nil {
		t.Fatal(err)
	}
	mustOK(t, f.dir.SetRosterItem(jid, RosterItem{Subscribed: false}))
	mustOK(t, f.dir.RemoveRosterItem(jid))
	mustOK(t, f.dir.SyncRoster(map[string]RosterItem{jid: {}}))
	mustOK(t, f.dir.SyncRoster(nil))
	if p := f.dir.Get(jid); p.Status != Away {
		t.Errorf("http presence lost: %+v", p)
	}
	if r, ok := store.get(jid); !ok || r.HTTP == nil {
		t.Errorf("stored: %+v, %v", r, ok)
	}
	// An unsubscribe after a subscription deletes everything, http included.
	mustOK(t, f.dir.SetRosterItem(jid, RosterItem{Subscribed: true}))
	mustOK(t, f.dir.SetRosterItem(jid, RosterItem{Subscribed: false}))
	if _, ok := store.get(jid); ok {
		t.Error("still stored after unsubscribe")
	}
}

// TestDirectoryResync: after a reconnect, resources not announced again
// between BeginSync and EndSync are dropped, whatever their timestamps.
func TestDirectoryResync(t *testing.T) {
	f := newFixture(t, newMemStore(), DirectoryOptions{ShowMessages: true})
	const jid = "alice@example.com"
	f.dir.Connected()
	f.dir.BeginSync()
	f.subscribe(jid, Resource{Status: Away})
	f.dir.SetResource(jid, "desk", Resource{Status: DND, Priority: 5})
	f.dir.EndSync("")
	if p := f.dir.Get(jid); p.Status != DND {
		t.Fatalf("after first sync: %+v", p)
	}

	f.dir.Disconnected()
	f.clock.Add(time.Minute)
	f.dir.Connected()
	f.dir.BeginSync()
	// Presence replayed by the server carries its original (delayed) time.
	f.dir.SetResource(jid, "res", Resource{Status: Away, Changed: t0.Add(-time.Hour)})
	f.endSyncNow()
	if p := f.dir.Get(jid); p.Status != Away || p.Sources[SourceXMPP] != Away {
		t.Errorf("after resync: %+v, want the re-announced resource only", p)
	}

	// An EndSync with no BeginSync (the sync was cut by a disconnect) drops
	// nothing.
	f.dir.BeginSync()
	f.dir.Disconnected()
	f.endSyncNow()
	if p := f.dir.Get(jid); p.Status != Away {
		t.Errorf("an aborted sync dropped resources: %+v", p)
	}
}

// TestDirectoryStale: after StaleAfter without the watcher, XMPP statuses
// turn unknown (and are pushed); http presence is unaffected; the next
// completed sync brings them back.
func TestDirectoryStale(t *testing.T) {
	f := newFixture(t, newMemStore(), DirectoryOptions{ShowMessages: true, StaleAfter: 20 * time.Millisecond})
	f.dir.Connected()
	f.dir.BeginSync()
	f.subscribe("alice@example.com", Resource{Status: Available, Message: "hi"})
	f.subscribe("bob@example.com", Resource{Status: Away})
	f.dir.EndSync("")
	if _, err := f.dir.SetHTTP("bob@example.com", DND, "", time.Hour); err != nil {
		t.Fatal(err)
	}
	alice := f.follow("alice@example.com")

	f.dir.Disconnected()
	e := awaitStatus(t, alice, Unknown)
	want := `{"jid":"alice@example.com","status":"unknown","state":"unavailable","since":null,"last_seen":null,"sources":{"xmpp":"unknown"}}`
	if string(e.JSON) != want {
		t.Errorf("stale:\n got %s\nwant %s", e.JSON, want)
	}
	if st := f.dir.Stats(); !st.Stale || st.Connected {
		t.Errorf("Stats = %+v", st)
	}
	if p := f.dir.Get("bob@example.com"); p.Status != DND || p.Sources[SourceXMPP] != Unknown {
		t.Errorf("bob while stale: %+v", p)
	}

	f.dir.Connected()
	f.dir.BeginSync()
	f.dir.SetResource("alice@example.com", "res", Resource{Status: Available, Message: "hi"})
	f.endSyncNow()
	awaitStatus(t, alice, Available)
	if st := f.dir.Stats(); st.Stale || !st.Connected {
		t.Errorf("Stats = %+v", st)
	}
	if p := f.dir.Get("bob@example.com"); p.Status != DND || p.Sources[SourceXMPP] != Offline {
		t.Errorf("bob after sync: %+v", p)
	}
}

// TestDirectoryStaleTimerStoppedLate: a stale timer that fired just as the
// watcher synced again (its function waiting for the lock) must not mark
// the directory stale after a new disconnect, long before StaleAfter.
func TestDirectoryStaleTimerStoppedLate(t *testing.T) {
	f := newFixture(t, newMemStore(), DirectoryOptions{StaleAfter: time.Hour})
	sync := func() {
		f.dir.Connected()
		f.dir.BeginSync()
		f.dir.EndSync("")
	}
	sync()
	f.dir.Disconnected()
	f.dir.mu.Lock()
	late := f.dir.staleGen // what the armed timer's function holds
	f.dir.mu.Unlock()
	sync()
	f.dir.Disconnected()
	f.dir.markStale(late) // the first timer's function, running late
	if st := f.dir.Stats(); st.Stale {
		t.Error("stale at once after a disconnect")
	}
	f.dir.mu.Lock()
	armed := f.dir.staleT != nil
	f.dir.mu.Unlock()
	if !armed {
		t.Error("the current stale timer was lost")
	}
}

// TestDirectoryClose: after Close no timer is armed, and a timer that fired
// meanwhile publishes and saves nothing.
func TestDirectoryClose(t *testing.T) {
	store := newMemStore()
	f := newFixture(t, store, DirectoryOptions{StaleAfter: time.Hour, ShowMessages: true})
	f.subscribe("alice@example.com", Resource{Status: Away})
	if _, err := f.dir.SetHTTP("bob@example.com", Away, "", time.Hour); err != nil {
		t.Fatal(err)
	}
	f.dir.mu.Lock()
	gen := f.dir.staleGen
	f.dir.mu.Unlock()
	f.dir.Close()
	f.dir.Disconnected()
	if _, err := f.dir.SetHTTP("carol@example.com", Away, "", time.Millisecond); err != nil {
		t.Fatal(err)
	}
	f.dir.mu.Lock()
	timers := f.dir.staleT != nil || f.dir.expiry.timer != nil
	f.dir.mu.Unlock()
	if timers {
		t.Error("a timer was armed after Close")
	}
	saves := store.saveCount()
	f.clock.Add(2 * time.Hour)
	f.dir.markStale(gen)
	f.dir.expireDue()
	if st := f.dir.Stats(); st.Stale {
		t.Error("stale after Close")
	}
	if p := f.dir.Get("bob@example.com"); p.Status != Away || store.saveCount() != saves {
		t.Errorf("expired after Close: %+v, %d saves", p, store.saveCount()-saves)
	}
}

// TestDirectorySyncRosterErrors: a roster sync applies what it can and
// reports the store's errors so that callers can recognise them.
func TestDirectorySyncRosterErrors(t *testing.T) {
	store := newMemStore()
	f := newFixture(t, store, DirectoryOptions{})
	f.subscribe("bob@example.com", Resource{})
	diskFull := errors.New("disk full")
	store.setFail(diskFull)
	err := f.dir.SyncRoster(map[string]RosterItem{"alice@example.com": {Subscribed: true}})
	if !errors.Is(err, diskFull) {
		t.Errorf("SyncRoster = %v, want an error wrapping the store's", err)
	}
	// bob is invisible at once although his data could not be deleted.
	if p := f.dir.Get("bob@example.com"); p.Status != Unknown {
		t.Errorf("bob: %+v", p)
	}
}

// TestDirectoryGroupsHideOptedOut: a roster group lists only JIDs that may be
// seen; a dashboard must not name a user who opted out.
func TestDirectoryGroupsHideOptedOut(t *testing.T) {
	f := newFixture(t, newMemStore(), DirectoryOptions{})
	mustOK(t, f.dir.SyncRoster(map[string]RosterItem{
		"alice@example.com": {Subscribed: true, Groups: []string{"Team"}},
		"bob@example.com":   {Subscribed: true, Groups: []string{"Team", "Secret"}},
	}))
	mustOK(t, f.dir.SetChoice("bob@example.com", true, 0))
	if got := f.dir.Group("Team"); !slices.Equal(got, []string{"alice@example.com"}) {
		t.Errorf("Group(Team) = %v", got)
	}
	if got := f.dir.Group("Secret"); len(got) != 0 {
		t.Errorf("Group(Secret) = %v", got)
	}
	if got := f.dir.Groups(); !slices.Equal(got, []string{"Team"}) {
		t.Errorf("Groups = %v", got)
	}
	mustOK(t, f.dir.SetChoice("bob@example.com", false, 0))
	if got := f.dir.Groups(); !slices.Equal(got, []string{"Secret", "Team"}) {
		t.Errorf("Groups after opting in again = %v", got)
	}
}

// TestDirectoryLastSeenAcrossOutage: a JID online when the watcher lost its
// connection, unknown while stale, and offline once the watcher is back,
// was last seen at the loss: the last moment it was known online.
func TestDirectoryLastSeenAcrossOutage(t *testing.T) {
	store := newMemStore()
	f := newFixture(t, store, DirectoryOptions{StaleAfter: 20 * time.Millisecond})
	const alice, bob = "alice@example.com", "bob@example.com"
	f.dir.Connected()
	f.dir.BeginSync()
	f.subscribe(alice, Resource{Status: Away})
	f.subscribe(bob, Resource{}) // known, never online
	f.dir.EndSync("")
	a := f.follow(alice)

	lost := f.clock.Add(time.Minute)
	f.dir.Disconnected()
	awaitStatus(t, a, Unknown)
	f.clock.Add(time.Hour)
	f.dir.Connected()
	f.dir.BeginSync()
	f.endSyncNow() // alice's resource was not announced again
	e := awaitStatus(t, a, Offline)
	if !e.Presence.LastSeen.Equal(lost) {
		t.Errorf("last_seen = %v, want the loss at %v", e.Presence.LastSeen, lost)
	}
	if rec, _ := store.get(alice); !rec.LastSeen.Equal(lost) {
		t.Errorf("stored last_seen = %v, want %v", rec.LastSeen, lost)
	}
	if p := f.dir.Get(bob); p.Status != Offline || !p.LastSeen.IsZero() {
		t.Errorf("bob, never online: %+v", p)
	}

	// Online again after the next outage: no last_seen from it.
	f.dir.SetResource(alice, "res", Resource{Status: DND})
	f.dir.Disconnected()
	awaitStatus(t, a, Unknown)
	f.dir.Connected()
	f.dir.BeginSync()
	f.dir.SetResource(alice, "res", Resource{Status: DND})
	f.dir.EndSync("")
	if p := f.dir.Get(alice); p.Status != DND || !p.LastSeen.Equal(lost) {
		t.Errorf("online after the outage: %+v, want dnd with the old last_seen", p)
	}
}

// TestDirectoryRemoveResources: unavailable presence from the bare JID ends
// every resource with one update.
func TestDirectoryRemoveResources(t *testing.T) {
	f := newFixture(t, newMemStore(), DirectoryOptions{})
	const jid = "alice@example.com"
	f.subscribe(jid, Resource{Status: Away})
	f.dir.SetResource(jid, "desk", Resource{Status: DND})
	before := f.dir.Stats().Updates
	f.dir.RemoveResources(jid)
	if p := f.dir.Get(jid); p.Status != Offline || p.LastSeen.IsZero() {
		t.Errorf("after RemoveResources: %+v", p)
	}
	if n := f.dir.Stats().Updates - before; n != 1 {
		t.Errorf("%d updates, want 1", n)
	}
	f.dir.RemoveResources("nobody@example.com") // unknown JIDs are ignored
	if _, ok := f.dir.Record("nobody@example.com"); ok {
		t.Error("RemoveResources made a JID known")
	}
}
