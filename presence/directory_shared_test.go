package presence

import (
	"errors"
	"slices"
	"sync"
	"testing"
	"time"
)

// gatedShared is a SharedStore in memory whose commits wait at a gate while
// it is closed, as a hung Redis makes them wait.
type gatedShared struct {
	mu       sync.Mutex
	recs     map[string]Shared
	seq      uint64
	gate     chan struct{} // nil: open
	entered  chan string   // a commit reached the gate
	inflight map[string]int
	maxIn    int
	order    []Status // http statuses committed, in order
	fail     error    // set: every commit fails with it, as an unreachable Redis
}

func newGatedShared() *gatedShared {
	return &gatedShared{recs: map[string]Shared{}, inflight: map[string]int{}, entered: make(chan string, 16)}
}

func (g *gatedShared) Records() ([]Record, error) { return nil, nil }
func (g *gatedShared) Write([]Write) []error      { return nil }
func (g *gatedShared) Remove(jid string) error    { return nil }
func (g *gatedShared) SetRoom(string, int) error  { return nil }

func (g *gatedShared) Commit(s Shared, _ bool, redo func(Shared) (Shared, bool)) (Shared, error) {
	jid := s.Record.JID
	g.mu.Lock()
	g.inflight[jid]++
	g.maxIn = max(g.maxIn, g.inflight[jid])
	gate := g.gate
	g.mu.Unlock()
	g.entered <- jid
	if gate != nil {
		<-gate
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	defer func() { g.inflight[jid]-- }()
	if g.fail != nil {
		return Shared{}, g.fail
	}
	for {
		stored, ok := g.recs[jid]
		if !ok {
			stored = Shared{Record: Record{JID: jid}, Gone: true}
		}
		if stored.Record.Version == s.Record.Version {
			g.seq++
			s.Record.Version = g.seq
			g.recs[jid] = s
			if h := s.Record.HTTP; h != nil {
				g.order = append(g.order, h.Status)
			}
			return s, nil
		}
		next, ok := redo(stored)
		if !ok {
			return stored, nil
		}
		s = next
	}
}

// A JID's writes reach a shared store one at a time and in order, with the
// directory's lock released while the store answers.
func TestSharedCommitsOfAJIDInOrderWithoutTheLock(t *testing.T) {
	g := newGatedShared()
	hub := NewMemHub()
	d, err := NewDirectory(hub, g, DirectoryOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	const jid = "frank@example.com"
	g.gate = make(chan struct{})
	var once sync.Once
	open := func() {
		once.Do(func() {
			g.mu.Lock()
			close(g.gate)
			g.gate = nil
			g.mu.Unlock()
		})
	}
	defer open() // before Close, also on a failure
	errs := make(chan error, 2)
	go func() { _, err := d.SetHTTP(jid, Away, "", time.Minute); errs <- err }()
	<-g.entered // the first write waits in the store
	go func() { _, err := d.SetHTTP(jid, DND, "", time.Minute); errs <- err }()
	read := make(chan Stats)
	go func() { read <- d.Stats() }()
	select {
	case <-read:
	case <-time.After(10 * time.Second):
		t.Fatal("Stats waited for the store")
	}
	select {
	case <-g.entered:
		t.Fatal("a second commit of the JID entered the store while the first was in flight")
	case <-time.After(100 * time.Millisecond):
	}
	open()
	for range 2 {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
	if len(g.order) != 2 || g.order[0] != Away || g.order[1] != DND {
		t.Fatalf("committed %v, want [away dnd]", g.order)
	}
	if g.maxIn != 1 {
		t.Fatalf("%d commits of the JID in flight at once, want 1", g.maxIn)
	}
	if got := d.Get(jid).Status; got != DND {
		t.Fatalf("shows %s, want dnd", got)
	}
	if r, _ := d.Record(jid); r.HTTP == nil || r.HTTP.Status != DND || r.Version != g.seq {
		t.Fatalf("record %+v, want dnd at version %d", r, g.seq)
	}
}

// Group lists, with a shared store, the JIDs whose records name the group,
// as the records come and go.
func TestSharedGroupFollowsTheRecords(t *testing.T) {
	d, err := NewDirectory(NewMemHub(), newGatedShared(), DirectoryOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	rec := func(jid string, v uint64, groups ...string) Shared {
		return Shared{Record: Record{JID: jid, Subscribed: true, Version: v, Groups: groups}}
	}
	d.Apply(rec("a@example.com", 1, "team", "ops"))
	d.Apply(rec("b@example.com", 2, "team"))
	d.Apply(rec("c@example.com", 3, "team"))
	if got := d.Group("team"); !slices.Equal(got, []string{"a@example.com", "b@example.com", "c@example.com"}) {
		t.Fatalf("team: %v", got)
	}
	d.Apply(rec("a@example.com", 4, "ops"))                                                                                       // left team
	d.Apply(Shared{Record: Record{JID: "b@example.com", Version: 5}, Gone: true})                                                 // forgotten
	d.Apply(Shared{Record: Record{JID: "c@example.com", Version: 6, OptedOut: true, Subscribed: true, Groups: []string{"team"}}}) // hidden
	if got := d.Group("team"); len(got) != 0 {
		t.Fatalf("team after the changes: %v, want none", got)
	}
	if got := d.Group("ops"); !slices.Equal(got, []string{"a@example.com"}) {
		t.Fatalf("ops: %v", got)
	}
	d.Reload([]Shared{rec("b@example.com", 7, "team")}, d.BeginReload())
	if got := d.Group("team"); !slices.Equal(got, []string{"b@example.com"}) {
		t.Fatalf("team after a reload: %v", got)
	}
	if got := d.Group("ops"); len(got) != 0 {
		t.Fatalf("ops after a reload without a@: %v", got)
	}
}

// A reload forgets the JIDs the snapshot lacks, but not one this replica
// committed or was told of after the snapshot began.
func TestSharedReloadKeepsWhatCameAfterTheSnapshot(t *testing.T) {
	g := newGatedShared()
	d, err := NewDirectory(NewMemHub(), g, DirectoryOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	d.Apply(Shared{Record: Record{JID: "old@example.com", Subscribed: true, Version: 1}})
	since := d.BeginReload() // the snapshot begins
	if _, err := d.SetHTTP("mine@example.com", Away, "", time.Minute); err != nil {
		t.Fatal(err)
	}
	d.Apply(Shared{Record: Record{JID: "told@example.com", Subscribed: true, Version: 9}})
	d.Reload(nil, since) // the snapshot saw none of them
	if _, ok := d.Record("old@example.com"); ok {
		t.Error("old@ kept, though the store no longer holds it")
	}
	if r, ok := d.Record("mine@example.com"); !ok || r.HTTP == nil || r.HTTP.Status != Away {
		t.Errorf("mine@ committed after the snapshot began: %+v, %v", r, ok)
	}
	if _, ok := d.Record("told@example.com"); !ok {
		t.Error("told@ adopted after the snapshot began was forgotten")
	}
}

// A JID forgotten after the snapshot began, by a notice or by this
// replica, stays forgotten though the snapshot still holds it; one seen
// again after it was forgotten is adopted as usual.
func TestSharedReloadDoesNotBringBackWhatWentAfterTheSnapshot(t *testing.T) {
	g := newGatedShared()
	d, err := NewDirectory(NewMemHub(), g, DirectoryOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	const told, mine, back = "told@example.com", "mine@example.com", "back@example.com"
	for i, jid := range []string{told, mine, back} {
		d.Apply(Shared{Record: Record{JID: jid, Subscribed: true, Groups: []string{"team"}, Version: uint64(i + 1)}})
	}
	since := d.BeginReload()
	// The snapshot is read here: it holds all three at their versions.
	snapshot := []Shared{
		{Record: Record{JID: told, Subscribed: true, Groups: []string{"team"}, Version: 1}},
		{Record: Record{JID: mine, Subscribed: true, Groups: []string{"team"}, Version: 2}},
		{Record: Record{JID: back, Subscribed: true, Groups: []string{"team"}, Version: 3}},
	}
	d.Apply(Shared{Record: Record{JID: told, Version: 4}, Gone: true})
	mustOK(t, d.Forget(mine))
	d.Apply(Shared{Record: Record{JID: back, Version: 5}, Gone: true})
	d.Apply(Shared{Record: Record{JID: back, Subscribed: true, Groups: []string{"team"}, Version: 6}})
	d.Reload(snapshot, since)
	for _, jid := range []string{told, mine} {
		if r, ok := d.Record(jid); ok {
			t.Errorf("%s forgotten after the snapshot began is back: %+v", jid, r)
		}
	}
	if r, ok := d.Record(back); !ok || r.Version != 6 {
		t.Errorf("back@, seen again after it was forgotten: %+v, %v; want version 6", r, ok)
	}
	if got := d.Group("team"); !slices.Equal(got, []string{back}) {
		t.Errorf("team after the reload: %v, want only back@", got)
	}
	// The next reload forgets nothing on an old account.
	d.Reload([]Shared{{Record: Record{JID: told, Subscribed: true, Version: 7}}}, d.BeginReload())
	if _, ok := d.Record(told); !ok {
		t.Error("told@, stored again and in the next snapshot, is not adopted")
	}
}

// A first write of a JID that the shared store refuses leaves nothing
// behind: the next write of that JID commits under its JID, and nothing is
// stored under an empty one.
func TestSharedFailedFirstWrite(t *testing.T) {
	g := newGatedShared()
	d, err := NewDirectory(NewMemHub(), g, DirectoryOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	const jid = "new@example.com"
	g.mu.Lock()
	g.fail = ErrUnavailable
	g.mu.Unlock()
	if _, err := d.SetHTTP(jid, Away, "", time.Minute); !errors.Is(err, ErrUnavailable) {
		t.Fatalf("write while the store fails = %v, want ErrUnavailable", err)
	}
	g.mu.Lock()
	g.fail = nil
	g.mu.Unlock()
	e, err := d.SetHTTP(jid, DND, "", time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	if e.Presence.JID != jid || e.Presence.Status != DND {
		t.Errorf("answer after the failed write: %+v", e.Presence)
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	if s, ok := g.recs[jid]; !ok || s.Record.JID != jid {
		t.Errorf("stored under %s: %+v, %v", jid, s, ok)
	}
	if _, ok := g.recs[""]; ok {
		t.Error("a record stored under an empty JID")
	}
}

// Close waits for a commit in flight, so that nothing is adopted or
// published after it returned; a write after Close fails.
func TestSharedCloseWaitsForTheCommitInFlight(t *testing.T) {
	g := newGatedShared()
	d, err := NewDirectory(NewMemHub(), g, DirectoryOptions{})
	if err != nil {
		t.Fatal(err)
	}
	g.gate = make(chan struct{})
	wrote := make(chan error, 1)
	go func() { _, err := d.SetHTTP("gina@example.com", Away, "", time.Minute); wrote <- err }()
	<-g.entered
	closed := make(chan struct{})
	go func() { d.Close(); close(closed) }()
	select {
	case <-closed:
		t.Fatal("Close returned while a commit was in flight")
	case <-time.After(100 * time.Millisecond):
	}
	g.mu.Lock()
	close(g.gate)
	g.gate = nil
	g.mu.Unlock()
	<-closed
	if err := <-wrote; err != nil {
		t.Fatal(err)
	}
	if _, err := d.SetHTTP("gina@example.com", DND, "", time.Minute); err == nil {
		t.Fatal("a write after Close succeeded")
	}
}

// memShared is a SharedStore in memory that tells every follower of what
// is committed, as the cluster's notices do.
type memShared struct {
	mu        sync.Mutex
	ver       uint64
	vals      map[string]Shared
	followers []*Directory
}

func (s *memShared) Records() ([]Record, error) { return nil, nil }
func (s *memShared) Write([]Write) []error      { return nil }
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
	late.Reload([]Shared{stored}, 0)
	if got := late.Get(jid).Details; got.Tune == nil || got.Tune.Title != "Vitamin C" || len(got.Devices) != 2 {
		t.Errorf("late replica: %+v", got)
	}
}
