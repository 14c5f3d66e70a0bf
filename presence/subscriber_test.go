package presence

import (
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"
)

// testSub is a subscriber whose wake-ups arrive on a channel of
// capacity 1, as a writer goroutine would wait for them.
type testSub struct{ *ChanSubscriber }

func newSub(h *MemHub) *testSub { return &testSub{SubscribeChan(h)} }

// Take takes into a fresh slice.
func (s *testSub) Take() []*Entry { return s.subscriber.Take(nil) }

// await waits for s to be woken and takes its values.
func await(t *testing.T, s *testSub) []*Entry {
	t.Helper()
	select {
	case <-s.C():
		return s.Take()
	case <-time.After(10 * time.Second):
		t.Fatal("subscriber not woken")
		return nil
	}
}

// quiet checks that s has nothing pending: no value and no wake-up.
func quiet(t *testing.T, s *testSub) {
	t.Helper()
	select {
	case <-s.C():
	default:
	}
	if got := s.Take(); len(got) != 0 {
		t.Errorf("unexpected values: %v", got)
	}
}

func TestSubscribeCurrentValueFirst(t *testing.T) {
	h := NewMemHub()
	alice, bob := JIDTopic("alice@example.com"), JIDTopic("bob@example.com")
	room := RoomTopic("chat@rooms.example.com")
	a := entry(alice.Name, 1)
	h.Publish(a)
	r := NewRoomEntry(Room{Room: room.Name, Occupants: 4})
	h.Publish(r)

	s := newSub(h)
	defer s.Close()
	if err := s.Add(0, alice, bob, room); err != nil {
		t.Fatal(err)
	}
	got := await(t, s)
	if len(got) != 3 || got[0] != a || string(got[1].JSON) != unknownJSON || got[2] != r {
		t.Fatalf("first values = %v", got)
	}
	quiet(t, s)
	// Adding a topic again does not deliver it again.
	if err := s.Add(0, alice); err != nil {
		t.Fatal(err)
	}
	quiet(t, s)
}

// TestSlowSubscriber: a reader that does not read while 1000 versions go by
// gets one value, the last.
func TestSlowSubscriber(t *testing.T) {
	h := NewMemHub()
	topic := JIDTopic("alice@example.com")
	s := newSub(h)
	defer s.Close()
	if err := s.Add(0, topic); err != nil {
		t.Fatal(err)
	}
	await(t, s)
	var last *Entry
	for i := range 1000 {
		last = entry(topic.Name, i)
		h.Publish(last)
	}
	got := await(t, s)
	if len(got) != 1 || got[0] != last {
		t.Fatalf("slow reader got %d values, want only the last", len(got))
	}
	quiet(t, s)
}

func TestSubscriberRemoveAndClose(t *testing.T) {
	h := NewMemHub()
	alice, bob := JIDTopic("alice@example.com"), JIDTopic("bob@example.com")
	s := newSub(h)
	if err := s.Add(0, alice, bob); err != nil {
		t.Fatal(err)
	}
	// A value pending for a removed topic is not delivered.
	s.Remove(alice)
	if got := await(t, s); len(got) != 1 || got[0].Topic != bob {
		t.Fatalf("after Remove: %v", got)
	}
	h.Publish(entry(alice.Name, 1))
	quiet(t, s)
	if s.Len() != 1 {
		t.Errorf("Len = %d, want 1", s.Len())
	}

	h.Publish(entry(bob.Name, 1))
	s.Close()
	quiet(t, s)
	h.Publish(entry(bob.Name, 2))
	quiet(t, s)
	if err := s.Add(0, alice); err != nil || s.Len() != 0 {
		t.Errorf("Add after Close: %v, Len %d", err, s.Len())
	}
	if n := h.Topics(); n != 2 { // the two published values, no subscriber
		t.Errorf("%d topics, want 2", n)
	}
	for _, tp := range []Topic{alice, bob} {
		if subs := h.topics[tp].subs; len(subs) != 0 {
			t.Errorf("%v still has %d subscribers", tp, len(subs))
		}
	}
}

func TestSubscriberLimit(t *testing.T) {
	h := NewMemHub()
	s := newSub(h)
	defer s.Close()
	tp := func(i int) Topic { return JIDTopic(fmt.Sprintf("u%d@example.com", i)) }
	if err := s.Add(3, tp(1), tp(2), tp(2)); err != nil { // duplicates count once
		t.Fatal(err)
	}
	if err := s.Add(3, tp(1), tp(3)); err != nil { // so do topics already followed
		t.Fatal(err)
	}
	if err := s.Add(3, tp(4)); !errors.Is(err, ErrTooManyTopics) {
		t.Errorf("Add over the limit: %v", err)
	}
	if err := s.Add(4, tp(4), tp(5)); !errors.Is(err, ErrTooManyTopics) {
		t.Errorf("Add over the limit: %v", err)
	}
	if s.Len() != 3 {
		t.Errorf("Len = %d after refused Adds, want 3", s.Len())
	}
	if got := await(t, s); len(got) != 3 {
		t.Errorf("%d first values, want 3", len(got))
	}
	s.Remove(tp(1))
	if err := s.Add(3, tp(4)); err != nil {
		t.Errorf("Add after Remove: %v", err)
	}
}

func TestSubscriberEqualBytesNotRepublished(t *testing.T) {
	h := NewMemHub()
	topic := JIDTopic("alice@example.com")
	s := newSub(h)
	defer s.Close()
	if err := s.Add(0, topic); err != nil {
		t.Fatal(err)
	}
	await(t, s)
	a := entry(topic.Name, 1)
	h.Publish(a)
	await(t, s)
	h.Publish(entry(topic.Name, 1))
	quiet(t, s)
	// Nor is the default value of a topic that never had another one.
	other := JIDTopic("bob@example.com")
	if err := s.Add(0, other); err != nil {
		t.Fatal(err)
	}
	await(t, s)
	h.Publish(NewPresenceEntry(UnknownPresence(other.Name)))
	quiet(t, s)
}

// TestSubscriberMemoryBounded: whatever happens while the owner does not
// take, the subscriber holds at most one pending mark per followed topic.
func TestSubscriberMemoryBounded(t *testing.T) {
	h := NewMemHub()
	s := newSub(h)
	defer s.Close()
	kept := JIDTopic("alice@example.com")
	churn := JIDTopic("bob@example.com")
	if err := s.Add(0, kept); err != nil {
		t.Fatal(err)
	}
	for i := range 10_000 {
		h.Publish(entry(kept.Name, i))
		if err := s.Add(0, churn); err != nil {
			t.Fatal(err)
		}
		h.Publish(entry(churn.Name, i))
		s.Remove(churn)
	}
	s.mu.Lock()
	n, c := len(s.dirty), cap(s.dirty)
	s.mu.Unlock()
	if n > 1 || c > 8 {
		t.Errorf("dirty list holds %d (capacity %d) for 1 topic", n, c)
	}
	if got := s.Take(); len(got) != 1 || got[0].Topic != kept {
		t.Errorf("Take = %v", got)
	}
}

// TestSubscriberRaces: Add racing Remove or Close must leave the hub's
// registration equal to what the subscriber follows: no closed subscriber
// kept alive by a topic, no followed topic that is never marked.
func TestSubscriberRaces(t *testing.T) {
	h := NewMemHub()
	topic := JIDTopic("alice@example.com")
	for i := range 5000 {
		s := newSub(h)
		// Start both sides at once: the windows are a few instructions wide.
		start := make(chan struct{})
		var wg sync.WaitGroup
		wg.Go(func() { <-start; _ = s.Add(0, topic) })
		if i%2 == 0 {
			wg.Go(func() { <-start; s.Close() })
		} else {
			wg.Go(func() { <-start; s.Remove(topic) })
			wg.Go(func() { <-start; _ = s.Add(0, topic) })
		}
		close(start)
		wg.Wait()
		h.mu.RLock()
		var registered bool
		if ts := h.topics[topic]; ts != nil {
			_, registered = ts.subs[s.subscriber]
		}
		h.mu.RUnlock()
		if follows := s.Len() == 1; follows != registered {
			t.Fatalf("round %d: follows %v, registered in the hub %v", i, follows, registered)
		}
		s.Close()
	}
	if n := h.Topics(); n != 0 {
		t.Errorf("%d topics left", n)
	}
}
