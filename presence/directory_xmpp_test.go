package presence

import (
	"slices"
	"testing"
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
