package presence

import (
	"encoding/json"
	"errors"
	"maps"
	"slices"
	"sync"
	"testing"
	"time"
)

// clock is a settable clock for since and last_seen.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Add(d time.Duration) time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
	return c.t
}

type fixture struct {
	t     *testing.T
	hub   *MemHub
	store *memStore
	clock *clock
	dir   *Directory
}

// newFixture starts a directory on a fake clock (nil opt.Now) over store.
func newFixture(t *testing.T, store *memStore, opt DirectoryOptions) *fixture {
	t.Helper()
	f := &fixture{t: t, hub: NewMemHub(), store: store, clock: &clock{t: t0}}
	if opt.Now == nil {
		opt.Now = f.clock.Now
	}
	d, err := NewDirectory(f.hub, store, opt)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(d.Close)
	f.dir = d
	return f
}

// settle waits until every record change is saved and what it shows
// published: XMPP input and timers do not wait for their saves.
func (f *fixture) settle() {
	f.t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		f.dir.mu.Lock()
		busy := false
		for _, st := range f.dir.jids {
			busy = busy || st.queued
		}
		f.dir.mu.Unlock()
		if !busy {
			return
		}
		if time.Now().After(deadline) {
			f.t.Fatal("records still being saved after 10 s")
		}
		time.Sleep(100 * time.Microsecond)
	}
}

// endSyncNow ends a sync as EndSync does, and at once also does what its
// grace timer does SyncGrace later: drop the resources not announced again.
func (f *fixture) endSyncNow() {
	f.dir.EndSync("")
	f.dir.mu.Lock()
	gen := f.dir.graceGen
	f.dir.mu.Unlock()
	f.dir.dropUnsynced(gen)
}

// subscribe makes jid visible over XMPP with one resource.
func (f *fixture) subscribe(jid string, r Resource) {
	f.t.Helper()
	if err := f.dir.SetRosterItem(jid, RosterItem{Subscribed: true}); err != nil {
		f.t.Fatal(err)
	}
	if r.Status != "" {
		f.dir.SetResource(jid, "res", r)
	}
}

// body is the JSON the API serves for jid, from the directory and the hub,
// which must agree.
func (f *fixture) body(jid string) string {
	f.t.Helper()
	b, err := json.Marshal(f.dir.Get(jid))
	if err != nil {
		f.t.Fatal(err)
	}
	if h := f.hub.Get(JIDTopic(jid)); string(h.JSON) != string(b) {
		f.t.Fatalf("hub and directory disagree on %s:\n hub %s\n dir %s", jid, h.JSON, b)
	}
	return string(b)
}

// follow subscribes to jid on the hub and consumes the first value.
func (f *fixture) follow(jid string) *testSub {
	f.t.Helper()
	s := newSub(f.hub)
	f.t.Cleanup(s.Close)
	if err := s.Add(0, JIDTopic(jid)); err != nil {
		f.t.Fatal(err)
	}
	await(f.t, s)
	return s
}

// awaitStatus waits until the hub's value for the topic of s has status want.
func awaitStatus(t *testing.T, s *testSub, want Status) *Entry {
	t.Helper()
	deadline := time.After(10 * time.Second)
	for {
		select {
		case <-s.C():
		case <-deadline:
			t.Fatalf("status never became %s", want)
		}
		for _, e := range s.Take() {
			if e.Presence.Status == want {
				return e
			}
		}
	}
}

func TestDirectoryAggregation(t *testing.T) {
	f := newFixture(t, newMemStore(), DirectoryOptions{ShowMessages: true})
	const jid = "alice@example.com"
	f.subscribe(jid, Resource{Status: Away, Message: "lunch", Changed: f.clock.Add(time.Second)})
	tests := []struct {
		name string
		do   func()
		want string
	}{
		{"xmpp only", func() {},
			`{"jid":"alice@example.com","status":"away","state":"away","message":"lunch","since":"2026-11-21T10:00:01Z","last_seen":null,"sources":{"xmpp":"away"}}`},
		{"more recent http wins", func() {
			f.clock.Add(time.Second)
			if _, err := f.dir.SetHTTP(jid, DND, "call", time.Hour); err != nil {
				t.Fatal(err)
			}
		}, `{"jid":"alice@example.com","status":"dnd","state":"busy","message":"call","since":"2026-11-21T10:00:02Z","last_seen":null,"sources":{"http":"dnd","xmpp":"away"}}`},
		{"more recent xmpp wins", func() {
			f.dir.SetResource(jid, "res", Resource{Status: Available, Changed: f.clock.Add(time.Second)})
		}, `{"jid":"alice@example.com","status":"available","state":"available","since":"2026-11-21T10:00:03Z","last_seen":null,"sources":{"http":"dnd","xmpp":"available"}}`},
		{"higher priority resource speaks", func() {
			f.dir.SetResource(jid, "desk", Resource{Status: XA, Priority: 5, Message: "desk", Changed: f.clock.Add(time.Second)})
		}, `{"jid":"alice@example.com","status":"xa","state":"away","message":"desk","since":"2026-11-21T10:00:04Z","last_seen":null,"sources":{"http":"dnd","xmpp":"xa"}}`},
		{"xmpp offline: http wins", func() {
			f.clock.Add(time.Second)
			f.dir.RemoveResource(jid, "desk")
			f.dir.RemoveResource(jid, "res")
		}, `{"jid":"alice@example.com","status":"dnd","state":"busy","message":"call","since":"2026-11-21T10:00:05Z","last_seen":null,"sources":{"http":"dnd","xmpp":"offline"}}`},
		{"all offline", func() {
			f.clock.Add(time.Second)
			if _, err := f.dir.ClearHTTP(jid); err != nil {
				t.Fatal(err)
			}
		}, `{"jid":"alice@example.com","status":"offline","state":"unavailable","since":"2026-11-21T10:00:06Z","last_seen":"2026-11-21T10:00:06Z","sources":{"http":"offline","xmpp":"offline"}}`},
	}
	for _, tt := range tests {
		tt.do()
		if got := f.body(jid); got != tt.want {
			t.Errorf("%s:\n got %s\nwant %s", tt.name, got, tt.want)
		}
	}
}

// TestDirectorySinceAndLastSeen: since moves only with the status; last_seen
// is set when the JID goes offline, saved, and kept while it is online.
func TestDirectorySinceAndLastSeen(t *testing.T) {
	store := newMemStore()
	f := newFixture(t, store, DirectoryOptions{ShowMessages: true})
	const jid = "alice@example.com"
	f.subscribe(jid, Resource{Status: Available})
	start := f.dir.Get(jid).Since
	if !start.Equal(t0) {
		t.Fatalf("since = %v, want %v", start, t0)
	}
	f.clock.Add(time.Minute)
	f.dir.SetResource(jid, "res", Resource{Status: Available, Message: "new text"})
	f.dir.SetResource(jid, "other", Resource{Status: Available})
	if p := f.dir.Get(jid); !p.Since.Equal(start) || !p.LastSeen.IsZero() {
		t.Errorf("since %v, last_seen %v after changes that kept the status", p.Since, p.LastSeen)
	}

	off := f.clock.Add(time.Minute)
	f.dir.RemoveResource(jid, "res")
	f.dir.RemoveResource(jid, "other")
	f.settle() // shown once its last_seen is saved
	if p := f.dir.Get(jid); p.Status != Offline || !p.Since.Equal(off) || !p.LastSeen.Equal(off) {
		t.Errorf("offline: %+v, want since and last_seen %v", p, off)
	}
	if r, _ := store.get(jid); !r.LastSeen.Equal(off) || !r.Subscribed {
		t.Errorf("stored %+v, want last_seen %v", r, off)
	}

	on := f.clock.Add(time.Minute)
	f.dir.SetResource(jid, "res", Resource{Status: Away})
	if p := f.dir.Get(jid); !p.Since.Equal(on) || !p.LastSeen.Equal(off) {
		t.Errorf("online again: since %v (want %v), last_seen %v (want %v)", p.Since, on, p.LastSeen, off)
	}
	// Offline to offline is not going offline.
	f.dir.RemoveResource(jid, "res")
	f.settle()
	again := f.dir.Get(jid).LastSeen
	f.clock.Add(time.Minute)
	f.dir.RemoveResource(jid, "res")
	if p := f.dir.Get(jid); !p.LastSeen.Equal(again) {
		t.Errorf("last_seen moved from %v to %v without going offline", again, p.LastSeen)
	}
}

func TestDirectoryMessages(t *testing.T) {
	for _, show := range []bool{true, false} {
		f := newFixture(t, newMemStore(), DirectoryOptions{ShowMessages: show})
		const jid = "alice@example.com"
		f.subscribe(jid, Resource{Status: Away, Message: "  out \x00 to\nlunch  "})
		want := ""
		if show {
			want = "out  to lunch"
		}
		if got := f.dir.Get(jid).Message; got != want {
			t.Errorf("show=%v: message %q, want %q", show, got, want)
		}
		if _, err := f.dir.SetHTTP("bob@example.com", DND, "call", time.Hour); err != nil {
			t.Fatal(err)
		}
		if got := f.dir.Get("bob@example.com").Message; show != (got == "call") {
			t.Errorf("show=%v: http message %q", show, got)
		}
	}
}

// TestDirectorySetChoice: a hidden status text is left out everywhere; the
// choice is stored and survives a restart.
func TestDirectorySetChoice(t *testing.T) {
	store := newMemStore()
	f := newFixture(t, store, DirectoryOptions{ShowMessages: true})
	const jid = "alice@example.com"
	f.subscribe(jid, Resource{Status: Away, Message: "at the dentist"})
	s := f.follow(jid)
	if err := f.dir.SetChoice(jid, false, FieldSet(FieldMessage)); err != nil {
		t.Fatal(err)
	}
	if e := await(t, s); len(e) != 1 || e[0].Presence.Message != "" || e[0].Presence.Status != Away {
		t.Errorf("after hiding: %s", e[0].JSON)
	}
	if r, _ := store.get(jid); !r.HideMessage || r.OptedOut {
		t.Errorf("stored %+v", r)
	}
	f.dir.SetResource(jid, "res", Resource{Status: Away, Message: "still there"})
	if got := f.dir.Get(jid).Message; got != "" {
		t.Errorf("message %q shown after hiding", got)
	}
	// A JID the watcher does not follow has no choices to make.
	if err := f.dir.SetChoice("bob@example.com", true, FieldSet(FieldMessage)); !errors.Is(err, ErrNotSubscribed) {
		t.Fatalf("SetChoice for an unknown JID: %v, want ErrNotSubscribed", err)
	}
	if _, ok := f.dir.Record("bob@example.com"); ok {
		t.Error("SetChoice created a record for an unknown JID")
	}

	g := newFixture(t, store, DirectoryOptions{ShowMessages: true})
	if r, ok := g.dir.Record(jid); !ok || !r.HideMessage {
		t.Errorf("after restart: %+v", r)
	}
}

func TestDirectoryRooms(t *testing.T) {
	f := newFixture(t, newMemStore(), DirectoryOptions{})
	f.dir.SetRoom("chat@rooms.example.com", 12)
	if e := f.hub.Get(RoomTopic("chat@rooms.example.com")); string(e.JSON) != `{"room":"chat@rooms.example.com","occupants":12}` {
		t.Errorf("room = %s", e.JSON)
	}
	f.dir.SetRoom("chat@rooms.example.com", -3)
	if e := f.hub.Get(RoomTopic("chat@rooms.example.com")); e.Room.Occupants != 0 {
		t.Errorf("negative count: %s", e.JSON)
	}
}

// TestDirectoryCopies: what Get and Record return is the caller's to
// change (a handler renaming sources for kopano, say) without touching the
// directory or the value the hub serves.
func TestDirectoryCopies(t *testing.T) {
	f := newFixture(t, newMemStore(), DirectoryOptions{})
	const jid = "alice@example.com"
	if _, err := f.dir.SetHTTP(jid, Away, "", time.Hour); err != nil {
		t.Fatal(err)
	}
	want := f.body(jid)
	p := f.dir.Get(jid)
	p.Sources["spreed"] = p.Sources[SourceHTTP]
	delete(p.Sources, SourceHTTP)
	r, _ := f.dir.Record(jid)
	r.HTTP.Status = DND
	if got := f.body(jid); got != want {
		t.Errorf("served %s\nwant %s", got, want)
	}
	if h := f.hub.Get(JIDTopic(jid)).Presence.Sources; h[SourceHTTP] != Away || len(h) != 1 {
		t.Errorf("hub entry changed: %v", h)
	}
	if r, _ := f.dir.Record(jid); r.HTTP.Status != Away {
		t.Errorf("record changed: %+v", r.HTTP)
	}
}

// memStore is a Store in memory. Setting fail makes every write fail.
type memStore struct {
	mu    sync.Mutex
	recs  map[string]Record
	fail  error
	saves int
}

func newMemStore(recs ...Record) *memStore {
	s := &memStore{recs: make(map[string]Record)}
	for _, r := range recs {
		s.recs[r.JID] = r
	}
	return s
}

func (s *memStore) Records() ([]Record, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.fail != nil {
		return nil, s.fail
	}
	return slices.Collect(maps.Values(s.recs)), nil
}

// Write fails every write while fail is set.
func (s *memStore) Write(writes []Write) []error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.fail != nil {
		errs := make([]error, len(writes))
		for i := range errs {
			errs[i] = s.fail
		}
		return errs
	}
	for _, w := range writes {
		r := w.Record
		if w.Delete {
			delete(s.recs, r.JID)
			continue
		}
		if r.HTTP != nil {
			h := *r.HTTP
			r.HTTP = &h
		}
		s.recs[r.JID] = r
		s.saves++
	}
	return nil
}

func (s *memStore) get(jid string) (Record, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	r, ok := s.recs[jid]
	return r, ok
}

func (s *memStore) saveCount() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.saves
}

func (s *memStore) setFail(err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.fail = err
}

// TestDirectoryRestart: NewDirectory serves what the store kept.
func TestDirectoryRestart(t *testing.T) {
	seen := t0.Add(-time.Hour)
	store := newMemStore(
		Record{JID: "alice@example.com", Subscribed: true, LastSeen: seen},
		Record{JID: "bob@example.com", HTTP: &HTTPState{Status: DND, Message: "call", Changed: seen, Expires: t0.Add(time.Hour)}},
		Record{JID: "carol@example.com", Subscribed: true, OptedOut: true, LastSeen: seen},
	)
	f := newFixture(t, store, DirectoryOptions{ShowMessages: true})
	if p := f.dir.Get("alice@example.com"); p.Status != Offline || !p.LastSeen.Equal(seen) {
		t.Errorf("alice: %+v", p)
	}
	if p := f.dir.Get("bob@example.com"); p.Status != DND || p.Message != "call" {
		t.Errorf("bob: %+v", p)
	}
	if p := f.dir.Get("carol@example.com"); p.Status != Unknown || !p.LastSeen.IsZero() {
		t.Errorf("carol: %+v", p)
	}
	if st := f.dir.Stats(); st.Visible != 2 || st.Connected || st.Stale {
		t.Errorf("Stats = %+v", st)
	}

	bad := newMemStore()
	bad.setFail(errors.New("disk gone"))
	if _, err := NewDirectory(NewMemHub(), bad, DirectoryOptions{}); err == nil {
		t.Error("NewDirectory ignored a failing store")
	}
}

// TestDirectorySaveErrors: when the store cannot save, a write fails with the
// store's error and changes nothing: not the memory, not the hub.
func TestDirectorySaveErrors(t *testing.T) {
	diskFull := errors.New("disk full")
	const jid = "alice@example.com"
	tests := []struct {
		name  string
		setup func(f *fixture)
		write func(f *fixture) error
	}{
		{"SetHTTP, new JID", func(*fixture) {}, func(f *fixture) error {
			_, err := f.dir.SetHTTP(jid, Away, "x", time.Hour)
			return err
		}},
		{"SetHTTP, going offline", func(f *fixture) {
			_, err := f.dir.SetHTTP(jid, Away, "x", time.Hour)
			mustOK(f.t, err)
		}, func(f *fixture) error {
			_, err := f.dir.SetHTTP(jid, Offline, "", time.Hour)
			return err
		}},
		{"ClearHTTP", func(f *fixture) {
			_, err := f.dir.SetHTTP(jid, Away, "x", time.Hour)
			mustOK(f.t, err)
		}, func(f *fixture) error {
			_, err := f.dir.ClearHTTP(jid)
			return err
		}},
		{"SetChoice", func(f *fixture) {
			f.subscribe(jid, Resource{Status: Away, Message: "x"})
		}, func(f *fixture) error { return f.dir.SetChoice(jid, true, FieldSet(FieldMessage)) }},
		{"SetRosterItem", func(*fixture) {}, func(f *fixture) error {
			return f.dir.SetRosterItem(jid, RosterItem{Subscribed: true})
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			store := newMemStore()
			f := newFixture(t, store, DirectoryOptions{ShowMessages: true})
			tt.setup(f)
			s := f.follow(jid)
			before := f.body(jid)
			rec, had := f.dir.Record(jid)
			stored, _ := store.get(jid)
			expiries := len(f.dir.expiry.heap)

			f.clock.Add(time.Minute)
			store.setFail(diskFull)
			if err := tt.write(f); !errors.Is(err, diskFull) {
				t.Fatalf("error %v, want the store's", err)
			}
			if got := f.body(jid); got != before {
				t.Errorf("served %s\nwant %s", got, before)
			}
			quiet(t, s)
			if r, ok := f.dir.Record(jid); ok != had || !equalRecords(r, rec) {
				t.Errorf("record %+v (%v), want %+v (%v)", r, ok, rec, had)
			}
			if n := len(f.dir.expiry.heap); n != expiries {
				t.Errorf("%d expiries, want %d", n, expiries)
			}
			store.setFail(nil)
			if r, _ := store.get(jid); !equalRecords(r, stored) {
				t.Errorf("store changed: %+v", r)
			}
			// The same write succeeds once the store is back.
			if err := tt.write(f); err != nil {
				t.Errorf("retry: %v", err)
			}
		})
	}
}

func equalRecords(a, b Record) bool {
	if (a.HTTP == nil) != (b.HTTP == nil) || a.HTTP != nil && *a.HTTP != *b.HTTP {
		return false
	}
	a.HTTP, b.HTTP = nil, nil
	return a.JID == b.JID && a.Subscribed == b.Subscribed && a.OptedOut == b.OptedOut &&
		a.HideMessage == b.HideMessage && a.LastSeen.Equal(b.LastSeen)
}

// TestDirectoryInvisible is the hard rule of docs/API.md#presence-model: every JID nobody may
// see is answered byte for byte like a JID that never existed, live and
// after a restart.
func TestDirectoryInvisible(t *testing.T) {
	const jid = "alice@example.com"
	never := newFixture(t, newMemStore(), DirectoryOptions{ShowMessages: true})
	want := never.body(jid)
	wantEntry := never.hub.Get(JIDTopic(jid))

	online := func(f *fixture) {
		f.subscribe(jid, Resource{Status: Away, Message: "secret"})
		f.dir.RemoveResource(jid, "res") // leaves a last_seen behind
		f.dir.SetResource(jid, "res", Resource{Status: DND, Message: "secret"})
	}
	tests := []struct {
		name string
		do   func(f *fixture)
	}{
		{"never subscribed, has resources", func(f *fixture) {
			f.dir.SetResource(jid, "res", Resource{Status: Available, Message: "secret"})
		}},
		{"forgotten", func(f *fixture) { online(f); mustOK(f.t, f.dir.Forget(jid)) }},
		{"opted out", func(f *fixture) { online(f); mustOK(f.t, f.dir.SetChoice(jid, true, 0)) }},
		{"unsubscribed by roster push", func(f *fixture) {
			online(f)
			mustOK(f.t, f.dir.SetRosterItem(jid, RosterItem{Subscribed: false}))
		}},
		{"removed from the roster", func(f *fixture) { online(f); mustOK(f.t, f.dir.RemoveRosterItem(jid)) }},
		{"gone from a roster sync", func(f *fixture) {
			online(f)
			mustOK(f.t, f.dir.SyncRoster(map[string]RosterItem{"bob@example.com": {Subscribed: true}}))
		}},
		{"opted out, stale", func(f *fixture) {
			online(f)
			mustOK(f.t, f.dir.SetChoice(jid, true, 0))
			f.dir.mu.Lock()
			f.dir.stale = true
			f.dir.mu.Unlock()
			f.dir.SetResource(jid, "res", Resource{Status: Chat})
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			store := newMemStore()
			f := newFixture(t, store, DirectoryOptions{ShowMessages: true})
			s := newSub(f.hub)
			defer s.Close()
			if err := s.Add(0, JIDTopic(jid)); err != nil {
				t.Fatal(err)
			}
			tt.do(f)
			if got := f.body(jid); got != want {
				t.Errorf("served\n %s\nwant\n %s", got, want)
			}
			e := f.hub.Get(JIDTopic(jid))
			if e.ETag != wantEntry.ETag || string(e.Frame) != string(wantEntry.Frame) {
				t.Errorf("ETag %s / frame %s differ from a JID that never existed", e.ETag, e.Frame)
			}
			// A live reader's last value is the same bytes.
			var last *Entry
			for _, v := range s.Take() {
				last = v
			}
			if last != nil && string(last.Frame) != string(wantEntry.Frame) {
				t.Errorf("live reader was left with %s", last.Frame)
			}
			// And so after a restart.
			g := newFixture(t, store, DirectoryOptions{ShowMessages: true})
			if got := g.body(jid); got != want {
				t.Errorf("after restart served\n %s\nwant\n %s", got, want)
			}
		})
	}
}

func mustOK(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
