package presence

import (
	"errors"
	"sync"
)

// ErrTooManyTopics is returned when a subscriber would exceed its limit.
var ErrTooManyTopics = errors.New("too many subscriptions")

// Subscriber follows a set of topics. Publishing only marks a topic dirty
// and wakes the subscriber; its owner then calls Take to read the latest
// value of each dirty topic. A slow owner skips intermediate values but
// never misses the last one, and its memory is bounded by its topic count.
type Subscriber struct {
	hub  *MemHub
	wake chan struct{} // capacity 1: one pending wake-up is enough

	mu sync.Mutex
	// topics holds the followed topics; the value is true while the topic
	// is dirty. A topic is in dirty exactly when its value here is true, so
	// dirty never holds more than the topic count.
	topics map[Topic]bool
	// dirty lists the dirty topics in the order they changed. Take keeps
	// its capacity, so that marking does not allocate once warmed up.
	dirty  []Topic
	closed bool
}

// C is signalled when at least one topic is dirty.
func (s *Subscriber) C() <-chan struct{} { return s.wake }

// Len reports how many topics the subscriber follows.
func (s *Subscriber) Len() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.topics)
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
		s.topics = make(map[Topic]bool, len(topics))
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
		s.topics[t] = false
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
	for _, t := range s.dirty {
		if _, ok := s.topics[t]; ok {
			kept = append(kept, t)
		}
	}
	clear(s.dirty[len(kept):]) // release the names
	s.dirty = kept
}

// Take returns the latest value of every dirty topic and clears the dirty
// set.
func (s *Subscriber) Take() []*Entry {
	s.mu.Lock()
	if len(s.dirty) == 0 {
		s.mu.Unlock()
		return nil
	}
	taken := make([]Topic, len(s.dirty))
	copy(taken, s.dirty)
	for _, t := range s.dirty {
		s.topics[t] = false
	}
	clear(s.dirty)
	s.dirty = s.dirty[:0]
	s.mu.Unlock()
	// The hub is read without s.mu held: Publish takes the hub lock first.
	out := make([]*Entry, len(taken))
	for i, t := range taken {
		out[i] = s.hub.Get(t)
	}
	return out
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

// mark flags t dirty and wakes the owner without ever blocking. It reports
// whether the subscriber follows t. The caller holds the hub lock.
func (s *Subscriber) mark(t Topic) bool {
	s.mu.Lock()
	dirty, ok := s.topics[t]
	if ok && !dirty {
		s.topics[t] = true
		s.dirty = append(s.dirty, t)
	}
	s.mu.Unlock()
	if ok {
		select {
		case s.wake <- struct{}{}:
		default:
		}
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
