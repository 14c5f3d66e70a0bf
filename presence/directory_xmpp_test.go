package presence

import (
	"errors"
	"fmt"
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
	if _, err := f.dir.SetHTTP("carol@example.com", Away, "", time.Millisecond); err == nil {
		t.Error("a write after Close was acknowledged")
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
	f.settle()
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

// TestDirectoryChoiceNeedsSubscription: a choice for a JID the directory
// does not hold as subscribed (its opt-in failed to save) is refused with
// ErrNotSubscribed, so the user is not told it was kept; the next sync then
// shows the user as before, which is what the user was told.
func TestDirectoryChoiceNeedsSubscription(t *testing.T) {
	store := newMemStore()
	f := newFixture(t, store, DirectoryOptions{})
	const alice = "alice@example.com"
	store.setFail(errors.New("disk full"))
	if err := f.dir.SetRosterItem(alice, RosterItem{Subscribed: true}); err == nil {
		t.Fatal("the opt-in was saved although the store fails")
	}
	store.setFail(nil)
	if err := f.dir.SetChoice(alice, true, 0); !errors.Is(err, ErrNotSubscribed) {
		t.Errorf("SetChoice(opt out) without a subscription: %v, want ErrNotSubscribed", err)
	}
	if _, ok := store.get(alice); ok {
		t.Error("a choice without a subscription was stored")
	}
}

// TestDirectoryResourceCap: a JID keeps at most MaxResources resources; a
// new one beyond that displaces the lowest priority, oldest of them, never
// the one that speaks for the account.
func TestDirectoryResourceCap(t *testing.T) {
	f := newFixture(t, newMemStore(), DirectoryOptions{})
	const jid = "alice@example.com"
	f.subscribe(jid, Resource{})
	f.dir.SetResource(jid, "main", Resource{Status: DND, Priority: 10, Changed: f.clock.Add(time.Second)})
	for i := 1; i < MaxResources; i++ {
		f.dir.SetResource(jid, fmt.Sprintf("r%d", i), Resource{Status: Away, Changed: f.clock.Add(time.Second)})
	}
	for i := 0; i < 3*MaxResources; i++ {
		f.dir.SetResource(jid, fmt.Sprintf("flood%d", i), Resource{Status: Away, Changed: f.clock.Add(time.Second)})
	}
	f.dir.mu.Lock()
	n := len(f.dir.jids[jid].resources)
	_, main := f.dir.jids[jid].resources["main"]
	_, oldest := f.dir.jids[jid].resources["r1"]
	_, newest := f.dir.jids[jid].resources[fmt.Sprintf("flood%d", 3*MaxResources-1)]
	f.dir.mu.Unlock()
	if n != MaxResources {
		t.Errorf("%d resources kept, want %d", n, MaxResources)
	}
	if !main || oldest || !newest {
		t.Errorf("kept: main %v (want true), oldest %v (want false), newest %v (want true)", main, oldest, newest)
	}
	if p := f.dir.Get(jid); p.Status != DND {
		t.Errorf("status %s, want the highest priority resource's dnd", p.Status)
	}
}

// TestDirectoryRoomStale: room counts go stale with the XMPP statuses.
// Once StaleAfter has passed without the watcher, a room shows no
// occupants (the default); the counts come back at the next completed sync.
func TestDirectoryRoomStale(t *testing.T) {
	f := newFixture(t, newMemStore(), DirectoryOptions{StaleAfter: 20 * time.Millisecond})
	const room = "lobby@rooms.example.com"
	f.dir.Connected()
	f.dir.BeginSync()
	f.dir.EndSync("")
	f.dir.SetRoom(room, 3)
	s := newSub(f.hub)
	t.Cleanup(s.Close)
	if err := s.Add(0, RoomTopic(room)); err != nil {
		t.Fatal(err)
	}
	awaitRoom := func(want int) {
		t.Helper()
		deadline := time.After(10 * time.Second)
		for {
			select {
			case <-s.C():
			case <-deadline:
				t.Fatalf("room count never became %d; now %d", want, f.hub.Get(RoomTopic(room)).Room.Occupants)
			}
			for _, e := range s.Take() {
				if e.Room.Occupants == want {
					return
				}
			}
		}
	}
	awaitRoom(3)

	f.dir.Disconnected()
	awaitRoom(0)
	if st := f.dir.Stats(); !st.Stale {
		t.Fatalf("room count reset before staleness: %+v", st)
	}
	f.dir.Connected()
	f.dir.BeginSync()
	f.dir.SetRoom(room, 2) // the watcher joined again during the sync
	if n := f.hub.Get(RoomTopic(room)).Room.Occupants; n != 0 {
		t.Errorf("a count shown while stale: %d", n)
	}
	f.dir.EndSync("")
	awaitRoom(2)
}

// TestDirectoryUnsyncedLoginsDoNotPostponeStaleness: the XMPP statuses are
// fresh only once a sync completes. Logins cut off before EndSync (a sync
// ping that times out, a roster never answered, a middlebox resetting the
// connection) must not restart the stale clock, however often they come.
func TestDirectoryUnsyncedLoginsDoNotPostponeStaleness(t *testing.T) {
	const staleAfter = 100 * time.Millisecond
	store := newMemStore()
	f := newFixture(t, store, DirectoryOptions{StaleAfter: staleAfter})
	const alice = "alice@example.com"
	f.dir.Connected()
	f.dir.BeginSync()
	f.subscribe(alice, Resource{Status: Available})
	f.dir.EndSync("")
	a := f.follow(alice)
	lost := f.clock.Add(time.Minute)
	f.dir.Disconnected()

	// A failed login every quarter of StaleAfter, until the JID turns
	// unknown. Were the clock restarted by each, it never would.
	tick := time.NewTicker(staleAfter / 4)
	defer tick.Stop()
	deadline := time.After(5 * time.Second)
	for stale := false; !stale; {
		select {
		case <-tick.C:
			f.clock.Add(time.Second)
			f.dir.Connected()
			f.dir.BeginSync()
			f.dir.Disconnected()
		case <-a.C():
			for _, e := range a.Take() {
				stale = stale || e.Presence.Status == Unknown
			}
		case <-deadline:
			t.Fatalf("still %s 5 s after the last synced connection was lost (StaleAfter %v)", f.dir.Get(alice).Status, staleAfter)
		}
	}

	// The last moment alice was known online is the loss of the last
	// synced connection, not one of the failed logins after it.
	f.dir.Connected()
	f.dir.BeginSync()
	f.endSyncNow()
	if e := awaitStatus(t, a, Offline); !e.Presence.LastSeen.Equal(lost) {
		t.Errorf("last_seen = %v, want the loss at %v", e.Presence.LastSeen, lost)
	}
}

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
