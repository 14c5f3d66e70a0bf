package presence

import (
	"encoding/json"
	"errors"
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
