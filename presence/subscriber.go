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

	mu     sync.Mutex
	topics map[Topic]struct{}
	dirty  []Topic
	isDirt map[Topic]struct{}
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
		s.topics = make(map[Topic]struct{}, len(topics))
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
		s.topics[t] = struct{}{}
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
			delete(s.isDirt, t)
			gone = append(gone, t)
		}
	}
	if len(gone) > 0 {
		s.dropDirtyLocked()
	}
	s.mu.Unlock()
	s.hub.sync(s, gone)
}

// dropDirtyLocked removes topics no longer dirty from the dirty list;
// without it, adding and removing one topic over and over while the owner
// is not taking would grow the list without bound.
func (s *Subscriber) dropDirtyLocked() {
	kept := s.dirty[:0]
	for _, t := range s.dirty {
		if _, ok := s.isDirt[t]; ok {
			kept = append(kept, t)
		}
	}
	clear(s.dirty[len(kept):]) // release the names
	s.dirty = kept
}

// Take returns the latest value of every dirty topic and clears the dirty
// set. Values of topics removed meanwhile are left out.
func (s *Subscriber) Take() []*Entry {
	s.mu.Lock()
	dirty := s.dirty
	s.dirty = nil
	var live []Topic
	for _, t := range dirty {
		if _, ok := s.isDirt[t]; ok {
			live = append(live, t)
			delete(s.isDirt, t)
		}
	}
	s.mu.Unlock()
	out := make([]*Entry, 0, len(live))
	for _, t := range live {
		out = append(out, s.hub.Get(t))
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
	s.topics, s.dirty, s.isDirt = nil, nil, nil
	s.mu.Unlock()
	s.hub.sync(s, topics)
}

// mark flags t dirty and wakes the owner without ever blocking. It reports
// whether the subscriber follows t. The caller holds the hub lock.
func (s *Subscriber) mark(t Topic) bool {
	s.mu.Lock()
	if _, ok := s.topics[t]; !ok {
		s.mu.Unlock()
		return false
	}
	if s.isDirt == nil {
		s.isDirt = make(map[Topic]struct{})
	}
	if _, ok := s.isDirt[t]; !ok {
		s.isDirt[t] = struct{}{}
		s.dirty = append(s.dirty, t)
	}
	s.mu.Unlock()
	select {
	case s.wake <- struct{}{}:
	default:
	}
	return true
}

func contains(ts []Topic, t Topic) bool {
	for _, x := range ts {
		if x == t {
			return true
		}
	}
	return false
}
