package presence

import (
	"testing"
	"time"
)

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
