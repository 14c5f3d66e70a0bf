package presence

import (
	"sync"
	"testing"
	"time"
)

// memShared is a SharedStore in memory that tells every follower of what
// is committed, as the cluster's notices do.
type memShared struct {
	mu        sync.Mutex
	ver       uint64
	vals      map[string]Shared
	followers []*Directory
}

func (s *memShared) Records() ([]Record, error) { return nil, nil }
func (s *memShared) Save(Record) error          { return nil }
func (s *memShared) Delete(string) error        { return nil }
func (s *memShared) Remove(string) error        { return nil }
func (s *memShared) SetRoom(string, int) error  { return nil }

func (s *memShared) Commit(v Shared, _ bool, redo func(Shared) (Shared, bool)) (Shared, error) {
	s.mu.Lock()
	for {
		cur, ok := s.vals[v.Record.JID]
		if !ok || cur.Record.Version == v.Record.Version {
			break
		}
		var more bool
		if v, more = redo(cur); !more {
			s.mu.Unlock()
			return cur, nil
		}
	}
	s.ver++
	v.Record.Version = s.ver
	s.vals[v.Record.JID] = v
	followers := s.followers
	s.mu.Unlock()
	for _, d := range followers {
		d.Apply(v) // the committer holds its lock: followers only
	}
	return v, nil
}

// TestSharedDetails: a replica that does not hold the watcher shows the
// details the holder derived, through its own privacy rules.
func TestSharedDetails(t *testing.T) {
	sh := &memShared{vals: make(map[string]Shared)}
	clk := &clock{t: t0}
	leader, err := NewDirectory(NewMemHub(), sh, DirectoryOptions{Now: clk.Now, ShowMessages: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(leader.Close)
	// The follower's operator shares no tune: privacy applies where shown.
	follower, err := NewDirectory(NewMemHub(), sh, DirectoryOptions{Now: clk.Now, ShowMessages: true,
		Share: AllFields.Without(FieldTune)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(follower.Close)
	sh.followers = []*Directory{follower}

	leader.Lead(time.Time{})
	leader.BeginSync()
	const jid = "alice@example.com"
	if err := leader.SetRosterItem(jid, RosterItem{Subscribed: true}); err != nil {
		t.Fatal(err)
	}
	leader.SetResource(jid, "desk", Resource{Status: Available, Device: "pc", IdleSince: t0.Add(-time.Minute)})
	leader.SetResource(jid, "phone", Resource{Status: Away, Priority: -1})
	leader.SetDevice(jid, "phone", "phone")
	leader.SetProfile(jid, fullProfile)

	want := Details{Name: "Alice", AvatarID: "aaaa", Devices: []string{"pc", "phone"},
		IdleSince: t0.Add(-time.Minute), Tune: fullProfile.Tune, Mood: fullProfile.Mood, Activity: fullProfile.Activity}
	if got := leader.Get(jid).Details; !got.Equal(want) {
		t.Errorf("leader: %+v, want %+v", got, want)
	}
	wantF := want
	wantF.Tune = nil
	if got := follower.Get(jid).Details; !got.Equal(wantF) {
		t.Errorf("follower: %+v, want %+v", got, wantF)
	}

	// A new tune, then a user who hides the name: each reaches the follower.
	p := fullProfile
	p.Tune = &Tune{Artist: "Can", Title: "Vitamin C"}
	p.Mood = nil
	leader.SetProfile(jid, p)
	if got := follower.Get(jid).Details; got.Mood != nil || got.Name != "Alice" {
		t.Errorf("follower after new profile: %+v, want Alice and no mood", got)
	}
	if got := leader.Get(jid).Details.Tune; got == nil || got.Artist != "Can" {
		t.Errorf("leader tune %+v, want Can", got)
	}
	if err := leader.SetChoice(jid, false, FieldSet(0).With(FieldName)); err != nil {
		t.Fatal(err)
	}
	if got := follower.Get(jid).Details; got.Name != "" || got.AvatarID != "aaaa" {
		t.Errorf("follower with the name hidden: %+v", got)
	}

	// The stored record holds the details: a replica that loads it later
	// shows them too.
	sh.mu.Lock()
	stored := sh.vals[jid]
	sh.mu.Unlock()
	late, err := NewDirectory(NewMemHub(), sh, DirectoryOptions{Now: clk.Now, ShowMessages: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(late.Close)
	late.Reload([]Shared{stored})
	if got := late.Get(jid).Details; got.Tune == nil || got.Tune.Title != "Vitamin C" || len(got.Devices) != 2 {
		t.Errorf("late replica: %+v", got)
	}
}
