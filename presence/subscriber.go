package presence

import (
	"errors"
	"sync"
)

// ErrTooManyTopics is returned when a subscriber would exceed its limit.
var ErrTooManyTopics = errors.New("too many subscriptions")

// subscriber is MemHub's Subscription.
type subscriber struct {
	hub *MemHub
	// wake tells the owner that a value is pending. It is called with the
	// hub locked, so it must return at once and must not call the hub.
	wake func()

	mu     sync.Mutex
	topics map[Topic]*follow
	// dirty lists the pending values in the order their topics changed,
	// never two for one topic, so never more than the topic count. Take
	// keeps its capacity, so that marking does not allocate once warmed up.
	dirty  []pending
	closed bool
}

// follow is one topic a subscriber follows. The hub keeps it beside the
// subscriber in the topic's state, so that Publish marks thousands of
// subscribers without looking the topic up in each one's map. Its fields
// are guarded by the subscriber's mu.
type follow struct {
	topic Topic
	// n is the position + 1 of the topic's pending value in dirty when
	// dirty[n-1] is about this follow; any other number means nothing is
	// pending. Take thus clears dirty without touching the follows, and a
	// topic that keeps its place from one Take to the next is marked
	// without a write here.
	n    int
	gone bool // no longer followed: marks are ignored until the hub drops it
}

// pending is a topic's value waiting for Take. The value is captured when
// the topic is marked, so that Take, run by thousands of owners right after
// one Publish, reads no hub state; nil stands for the hub's value at Take
// time (a topic just followed whose value is the default).
type pending struct {
	f     *follow
	entry *Entry
}

// Len reports how many topics the subscriber follows.
func (s *subscriber) Len() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.topics)
}

// Pending reports whether a value waits for Take. An owner that took
// everything checks it after marking itself idle: a wake-up that came in
// between may have found it busy and left the value to it.
func (s *subscriber) Pending() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.dirty) > 0
}

// Add follows topics, keeping the total at or below limit (0: no limit).
// Each new topic is marked dirty so that its current value is delivered
// first. On ErrTooManyTopics nothing was added. Add after Close does
// nothing.
func (s *subscriber) Add(limit int, topics ...Topic) error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return nil
	}
	if s.topics == nil {
		s.topics = make(map[Topic]*follow, len(topics))
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
		s.topics[t] = &follow{topic: t}
	}
	s.mu.Unlock()
	s.hub.sync(s, fresh)
	return nil
}

// Remove stops following topics.
func (s *subscriber) Remove(topics ...Topic) {
	s.mu.Lock()
	var gone []Topic
	for _, t := range topics {
		if f := s.topics[t]; f != nil {
			f.gone = true
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
func (s *subscriber) dropDirtyLocked() {
	kept := s.dirty[:0]
	for _, p := range s.dirty {
		if !p.f.gone {
			kept = append(kept, p)
			p.f.n = len(kept)
		}
	}
	clear(s.dirty[len(kept):]) // release the names and values
	s.dirty = kept
}

// Take appends the latest value of every dirty topic to dst, in the order
// the topics changed, clears the dirty set and returns the extended slice.
// An owner that passes the same buffer each time takes without allocating.
func (s *subscriber) Take(dst []*Entry) []*Entry {
	s.mu.Lock()
	from := len(dst)
	var unresolved []Topic // rare: only topics just followed
	for _, p := range s.dirty {
		if p.entry == nil {
			unresolved = append(unresolved, p.f.topic)
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
func (s *subscriber) Close() {
	s.mu.Lock()
	s.closed = true
	topics := make([]Topic, 0, len(s.topics))
	for t, f := range s.topics {
		f.gone = true
		topics = append(topics, t)
	}
	s.topics, s.dirty = nil, nil
	s.mu.Unlock()
	s.hub.sync(s, topics)
}

// lookup returns the follow of t, nil when t is not followed.
func (s *subscriber) lookup(t Topic) *follow {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.topics[t]
}

// mark makes e the pending value of f's topic (nil: the hub's value at
// Take time) and wakes the owner. It reports whether the subscriber still
// follows the topic. The caller holds the hub lock, which orders the marks
// of one topic.
func (s *subscriber) mark(f *follow, e *Entry) bool {
	s.mu.Lock()
	if f.gone {
		s.mu.Unlock()
		return false
	}
	if n := f.n; n > 0 && n <= len(s.dirty) && s.dirty[n-1].f == f {
		s.dirty[n-1].entry = e
	} else {
		s.dirty = append(s.dirty, pending{f, e})
		f.n = len(s.dirty)
	}
	s.mu.Unlock()
	s.wake()
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
