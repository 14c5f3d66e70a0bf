package presence

import (
	"errors"
	"testing"
)

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
