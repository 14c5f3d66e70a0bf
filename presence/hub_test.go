package presence

import (
	"fmt"
	"runtime"
	"sync"
	"testing"
	"time"
)

// entry makes a distinct value for jid: the message carries n.
func entry(jid string, n int) *Entry {
	return NewPresenceEntry(Presence{JID: jid, Status: Available, Message: fmt.Sprint(n),
		Sources: map[Source]Status{SourceHTTP: Available}})
}

func TestMemHubGetDefault(t *testing.T) {
	h := NewMemHub()
	e := h.Get(JIDTopic("bob@example.com"))
	if string(e.JSON) != unknownJSON || e.Version != 0 || e.Presence.Status != Unknown {
		t.Errorf("Get(unknown JID) = v%d %s", e.Version, e.JSON)
	}
	r := h.Get(RoomTopic("chat@rooms.example.com"))
	if string(r.JSON) != `{"room":"chat@rooms.example.com","occupants":0}` || r.Version != 0 {
		t.Errorf("Get(unknown room) = v%d %s", r.Version, r.JSON)
	}
	if n := h.Topics(); n != 0 {
		t.Errorf("Get created %d topics", n)
	}
}

func TestMemHubPublish(t *testing.T) {
	h := NewMemHub()
	topic := JIDTopic("alice@example.com")
	a := entry("alice@example.com", 1)
	h.Publish(a)
	if got := h.Get(topic); got != a || a.Version == 0 {
		t.Fatalf("Get after Publish = %p v%d, want %p", got, got.Version, a)
	}
	// Equal bytes are not a new version.
	h.Publish(entry("alice@example.com", 1))
	if got := h.Get(topic); got != a {
		t.Errorf("an equal value replaced the current one: v%d", got.Version)
	}
	b := entry("alice@example.com", 2)
	h.Publish(b)
	if got := h.Get(topic); got != b || b.Version <= a.Version {
		t.Errorf("Get = v%d, want the new value v%d > v%d", got.Version, b.Version, a.Version)
	}
	// Rooms are separate topics, even under the same name.
	h.Publish(NewRoomEntry(Room{Room: "alice@example.com", Occupants: 3}))
	if got := h.Get(topic); got != b {
		t.Errorf("a room value replaced a JID value")
	}
	if got := h.Get(RoomTopic("alice@example.com")); got.Room.Occupants != 3 {
		t.Errorf("room value = %s", got.JSON)
	}
}

// TestMemHubForgetsDefaults: a topic back at its default value (a JID
// forgotten, a room emptied) is dropped once nobody follows it, so the map
// does not grow with every JID ever seen; its versions still only grow.
func TestMemHubForgetsDefaults(t *testing.T) {
	h := NewMemHub()
	jid := JIDTopic("alice@example.com")
	room := RoomTopic("chat@rooms.example.com")

	a := entry(jid.Name, 1)
	h.Publish(a)
	h.Publish(NewRoomEntry(Room{Room: room.Name, Occupants: 2}))
	h.Publish(NewPresenceEntry(UnknownPresence(jid.Name)))
	h.Publish(NewRoomEntry(Room{Room: room.Name}))
	if n := h.Topics(); n != 0 {
		t.Errorf("%d topics left after both went back to their default", n)
	}

	// With a subscriber the default is a new version, kept while followed.
	s := newSub(h)
	b := entry(jid.Name, 2)
	h.Publish(b)
	if err := s.Add(0, jid); err != nil {
		t.Fatal(err)
	}
	s.Take()
	gone := NewPresenceEntry(UnknownPresence(jid.Name))
	h.Publish(gone)
	got := await(t, s)
	if len(got) != 1 || got[0] != gone || gone.Version <= b.Version || b.Version <= a.Version {
		t.Fatalf("subscriber got %v; versions a=%d b=%d gone=%d", got, a.Version, b.Version, gone.Version)
	}
	s.Remove(jid)
	if n := h.Topics(); n != 0 {
		t.Errorf("%d topics left after the last subscriber left", n)
	}
	c := entry(jid.Name, 3)
	h.Publish(c)
	if c.Version <= gone.Version {
		t.Errorf("version went back from %d to %d", gone.Version, c.Version)
	}
}

// TestMemHubUnknownTopics: following JIDs nobody publishes leaves nothing
// behind, however many a client asks for.
func TestMemHubUnknownTopics(t *testing.T) {
	h := NewMemHub()
	s := newSub(h)
	for i := range 1000 {
		tp := JIDTopic(fmt.Sprintf("u%d@example.com", i))
		if err := s.Add(0, tp); err != nil {
			t.Fatal(err)
		}
		h.Publish(NewPresenceEntry(UnknownPresence(tp.Name)))
		s.Remove(tp)
	}
	if n := h.Topics(); n != 0 {
		t.Errorf("%d topics left", n)
	}
}

// TestMemHubPublishNeverBlocks: a subscriber that never reads cannot hold up
// a publisher.
func TestMemHubPublishNeverBlocks(t *testing.T) {
	h := NewMemHub()
	for range 10 {
		s := newSub(h) // never read
		if err := s.Add(0, JIDTopic("alice@example.com")); err != nil {
			t.Fatal(err)
		}
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		// A wake-up that blocked would do so at the second publish: each
		// subscriber's channel holds one. A thousand is plenty, and quick
		// under the race detector on a busy machine.
		for i := range 1_000 {
			h.Publish(entry("alice@example.com", i))
		}
	}()
	select {
	case <-done:
	case <-time.After(20 * time.Second):
		t.Fatal("Publish blocked on subscribers that do not read")
	}
}

// TestMemHubPublishAllocs: publishing costs the same allocations whatever
// the number of subscribers, also when each has just taken its values (the
// usual case: a writer keeps up).
func TestMemHubPublishAllocs(t *testing.T) {
	const subs = 200
	h := NewMemHub()
	topic := JIDTopic("alice@example.com")
	all := make([]*testSub, subs)
	for i := range all {
		all[i] = newSub(h)
		if err := all[i].Add(0, topic); err != nil {
			t.Fatal(err)
		}
	}
	values := [2]*Entry{entry(topic.Name, 0), entry(topic.Name, 1)}
	var before, after runtime.MemStats
	var mallocs uint64
	const rounds = 50
	for i := range rounds + 2 {
		for _, s := range all {
			s.Take()
		}
		runtime.ReadMemStats(&before)
		h.Publish(values[i%2])
		runtime.ReadMemStats(&after)
		if i >= 2 { // the first rounds size the dirty lists
			mallocs += after.Mallocs - before.Mallocs
		}
	}
	if per := float64(mallocs) / rounds; per > 2 {
		t.Errorf("Publish to %d subscribers made %.1f allocations, want a handful at most", subs, per)
	}
}

// TestMemHubConcurrent runs many publishers and subscribers at once (run it
// with -race) and checks that every subscriber converges on the final value
// of every topic it follows, seeing versions only go up.
func TestMemHubConcurrent(t *testing.T) {
	const (
		publishers = 8
		perPub     = 4 // topics owned by each publisher
		versions   = 300
		readers    = 16
	)
	h := NewMemHub()
	var topics []Topic
	for p := range publishers {
		for k := range perPub {
			topics = append(topics, JIDTopic(fmt.Sprintf("p%dk%d@example.com", p, k)))
		}
	}
	final := func(tp Topic) string { return string(entry(tp.Name, versions-1).JSON) }

	deadline := time.After(60 * time.Second)
	stop := make(chan struct{})
	var wg sync.WaitGroup
	errs := make(chan error, readers+1)
	for r := range readers {
		// Each reader follows every other topic, from a different start,
		// and a few also churn a topic of their own.
		var mine []Topic
		for i := r % 2; i < len(topics); i += 2 {
			mine = append(mine, topics[i])
		}
		s := newSub(h)
		wg.Go(func() {
			defer s.Close()
			if err := s.Add(0, mine...); err != nil {
				errs <- err
				return
			}
			seen := make(map[Topic]uint64)
			done := make(map[Topic]bool)
			extra := JIDTopic(fmt.Sprintf("churn%d@example.com", r))
			for n := 0; len(done) < len(mine); n++ {
				if r%4 == 0 {
					if n%2 == 0 {
						_ = s.Add(0, extra)
					} else {
						s.Remove(extra)
					}
				}
				select {
				case <-s.C():
				case <-stop:
					errs <- fmt.Errorf("reader %d converged on %d of %d topics", r, len(done), len(mine))
					return
				}
				for _, e := range s.Take() {
					if e.Topic == extra {
						continue
					}
					if e.Version < seen[e.Topic] {
						errs <- fmt.Errorf("reader %d: %v went back from v%d to v%d", r, e.Topic, seen[e.Topic], e.Version)
						return
					}
					seen[e.Topic] = e.Version
					if string(e.JSON) == final(e.Topic) {
						done[e.Topic] = true
					}
				}
			}
		})
	}
	var pubs sync.WaitGroup
	for p := range publishers {
		pubs.Go(func() {
			for v := range versions {
				for k := range perPub {
					h.Publish(entry(topics[p*perPub+k].Name, v))
				}
			}
		})
	}
	pubs.Wait()
	finished := make(chan struct{})
	go func() { wg.Wait(); close(finished) }()
	select {
	case <-finished:
	case <-deadline:
		close(stop)
		<-finished
	}
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	for _, tp := range topics {
		if got := string(h.Get(tp).JSON); got != final(tp) {
			t.Errorf("%v = %s, want the final value", tp, got)
		}
	}
	// Closed subscribers leave only the published topics behind.
	if n := h.Topics(); n != len(topics) {
		t.Errorf("%d topics, want %d", n, len(topics))
	}
}
