package presence

import (
	"errors"
	"sync"
)

// ErrTooManyTopics is returned when a subscriber would exceed its limit.
var ErrTooManyTopics = errors.New("too many subscriptions")

// Subscriber follows a set of topics. Publishing only records the new value
// as pending and wakes the subscriber; its owner then calls Take to collect
// the latest value of each changed topic. A slow owner skips intermediate
// values but never misses the last one, and its memory is bounded by its
// topic count.
type Subscriber struct {
	hub *MemHub
	// wake tells the owner that a value is pending. It is called with the
	// hub locked, so it must return at once and must not call the hub.
	wake func()

	mu sync.Mutex
	// topics holds the followed topics; the value is the position + 1 of
	// the topic's pending value in dirty, or 0 while nothing is pending, so
	// that dirty never holds more than the topic count.
	topics map[Topic]int
	// dirty lists the pending values in the order their topics changed.
	// Take keeps its capacity, so that marking does not allocate once
	// warmed up.
	dirty  []pending
	closed bool
}

// pending is a topic's value waiting for Take. The value is captured when
// the topic is marked, so that Take, run by thousands of owners right after
// one Publish, reads no hub state; nil stands for the hub's value at Take
// time (a topic just followed whose value is the default).
type pending struct {
	topic Topic
	entry *Entry
}

// Len reports how many topics the subscriber follows.
func (s *Subscriber) Len() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.topics)
}

// Pending reports whether a value waits for Take. An owner that took
// everything checks it after marking itself idle: a wake-up that came in
// between may have found it busy and left the value to it.
func (s *Subscriber) Pending() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.dirty) > 0
}

// Add follows topics, keeping the total at or below limit (0: no limit).
// Each new topic is marked dirty so that its current value is delivered
// first. On ErrTooManyTopics nothing was added. Add after Close does
// nothing.
func (s *Subscriber) Add(limit int, topics ...Topic) error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return nil
	}
	if s.topics == nil {
		s.topics = make(map[Topic]int, len(topics))
	}
	var fresh []Topic
	for _, t := range topics {
		if _, ok := s.topics[t]; !ok && !contains(fresh, t) {
			fresh = append(fresh, t)
		}
	}
	if limit > 0 && len(s.topics)+len(fresh) > limit {
		s.mu.Unlock()
		return ErrTooManyTopics
	}
	for _, t := range fresh {
		s.topics[t] = 0
	}
	s.mu.Unlock()
	s.hub.sync(s, fresh)
	return nil
}

// Remove stops following topics.
func (s *Subscriber) Remove(topics ...Topic) {
	s.mu.Lock()
	var gone []Topic
	for _, t := range topics {
		if _, ok := s.topics[t]; ok {
			delete(s.topics, t)
			gone = append(gone, t)
		}
	}
	if len(gone) > 0 {
		s.dropDirtyLocked()
	}
	s.mu.Unlock()
	s.hub.sync(s, gone)
}

// dropDirtyLocked removes topics no longer followed from the dirty list;
// without it, adding and removing one topic over and over while the owner
// is not taking would grow the list without bound.
func (s *Subscriber) dropDirtyLocked() {
	kept := s.dirty[:0]
	for _, p := range s.dirty {
		if _, ok := s.topics[p.topic]; ok {
			kept = append(kept, p)
			s.topics[p.topic] = len(kept)
		}
	}
	clear(s.dirty[len(kept):]) // release the names and values
	s.dirty = kept
}

// Take appends the latest value of every dirty topic to dst, in the order
// the topics changed, clears the dirty set and returns the extended slice.
// An owner that passes the same buffer each time takes without allocating.
func (s *Subscriber) Take(dst []*Entry) []*Entry {
	s.mu.Lock()
	from := len(dst)
	var unresolved []Topic // rare: only topics just followed
	for _, p := range s.dirty {
		s.topics[p.topic] = 0
		if p.entry == nil {
			unresolved = append(unresolved, p.topic)
		}
		dst = append(dst, p.entry)
	}
	clear(s.dirty)
	s.dirty = s.dirty[:0]
	s.mu.Unlock()
	// The hub is read without s.mu held: Publish takes the hub lock first.
	for i := from; len(unresolved) > 0; i++ {
		if dst[i] == nil {
			dst[i] = s.hub.Get(unresolved[0])
			unresolved = unresolved[1:]
		}
	}
	return dst
}

// Close stops following every topic. The subscriber is not used afterwards.
func (s *Subscriber) Close() {
	s.mu.Lock()
	s.closed = true
	topics := make([]Topic, 0, len(s.topics))
	for t := range s.topics {
		topics = append(topics, t)
	}
	s.topics, s.dirty = nil, nil
	s.mu.Unlock()
	s.hub.sync(s, topics)
}

// mark makes e the pending value of t (nil: the hub's value at Take time)
// and wakes the owner. It reports whether the subscriber follows t. The
// caller holds the hub lock, which orders the marks of one topic.
func (s *Subscriber) mark(t Topic, e *Entry) bool {
	s.mu.Lock()
	at, ok := s.topics[t]
	switch {
	case !ok:
	case at == 0:
		s.dirty = append(s.dirty, pending{t, e})
		s.topics[t] = len(s.dirty)
	default:
		s.dirty[at-1].entry = e
	}
	s.mu.Unlock()
	if ok {
		s.wake()
	}
	return ok
}

func contains(ts []Topic, t Topic) bool {
	for _, x := range ts {
		if x == t {
			return true
		}
	}
	return false
}
