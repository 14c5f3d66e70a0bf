package presence

import (
	"testing"
	"time"
)

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
