package presence

import (
	"bytes"
	"sync"
)

// Hub keeps the latest value of every topic and fans changes out to
// subscribers. MemHub is the in-memory implementation; anything else (a
// broker shared by several replicas, a wrapper that records publishes in
// tests, see internal/hubtest) implements Hub and Subscription with nothing
// more than these interfaces.
type Hub interface {
	// Publish makes e the latest value of its topic. It never blocks on a
	// subscriber. A value whose bytes equal the current ones is dropped.
	Publish(e *Entry)
	// Get returns the latest value of t, or DefaultEntry(t) when nothing
	// was published.
	Get(t Topic) *Entry
	// Subscribe returns a subscription with no topics yet. wake is called
	// whenever one of its topics gets a new value; it may run with the hub
	// locked, so it must return at once and must not call the hub.
	Subscribe(wake func()) Subscription
}

// Subscription follows a set of topics of a Hub. Publishing only records
// the new value as pending and wakes the owner, which then calls Take to
// collect the latest value of each changed topic: a slow owner skips
// intermediate values but never misses the last one, and its memory is
// bounded by its topic count.
type Subscription interface {
	// Add follows topics, keeping the total at or below limit (0: no
	// limit). Each new topic's current value is delivered first. On
	// ErrTooManyTopics nothing was added. Add after Close does nothing.
	Add(limit int, topics ...Topic) error
	// Remove stops following topics.
	Remove(topics ...Topic)
	// Take appends the latest value of every changed topic to dst, in the
	// order the topics changed, and returns the extended slice. An owner
	// that passes the same buffer each time takes without allocating.
	Take(dst []*Entry) []*Entry
	// Pending reports whether a value waits for Take. An owner that took
	// everything checks it after marking itself idle: a wake-up that came
	// in between may have found it busy and left the value to it.
	Pending() bool
	// Len reports how many topics are followed.
	Len() int
	// Close stops following every topic; the subscription is not used
	// afterwards.
	Close()
}

var _ Hub = (*MemHub)(nil)

// MemHub is the in-memory latest-value hub of docs/DESIGN.md.
//
// Lock order: MemHub.mu, then subscriber.mu. Publish marks subscribers
// while holding the hub lock, so a subscriber never calls into the hub
// while holding its own. A wake-up callback runs with the hub lock held
// and the subscriber's released.
type MemHub struct {
	mu     sync.RWMutex
	topics map[Topic]*topicState
	// seq numbers every published value. One counter for the whole hub
	// keeps a topic's versions increasing even when the topic is dropped
	// (back to its default, nobody following) and published again later.
	seq uint64
}

// topicState exists while a topic has a value other than its default or at
// least one subscriber, so that the map does not grow with every JID that
// was ever seen or forgotten.
type topicState struct {
	entry *Entry // nil: the default value
	dflt  bool   // entry holds the default value
	subs  map[*subscriber]*follow
}

// NewMemHub returns an empty hub.
func NewMemHub() *MemHub {
	return &MemHub{topics: make(map[Topic]*topicState)}
}

// Publish implements Hub. The caller must not change e afterwards.
// e.Version is set to a number greater than that of any earlier value.
func (h *MemHub) Publish(e *Entry) {
	dflt := isDefault(e)
	h.mu.Lock()
	defer h.mu.Unlock()
	ts := h.topics[e.Topic]
	switch {
	case ts == nil && dflt, ts != nil && ts.entry == nil && dflt:
		return // Get already answers the default
	case ts == nil:
		ts = &topicState{}
		h.topics[e.Topic] = ts
	case ts.entry != nil && bytes.Equal(ts.entry.JSON, e.JSON):
		return
	case dflt && len(ts.subs) == 0:
		delete(h.topics, e.Topic)
		return
	}
	h.seq++
	e.Version = h.seq
	ts.entry, ts.dflt = e, dflt
	for s, f := range ts.subs {
		s.mark(f, e)
	}
}

// Get implements Hub.
func (h *MemHub) Get(t Topic) *Entry {
	h.mu.RLock()
	ts := h.topics[t]
	var e *Entry
	if ts != nil {
		e = ts.entry
	}
	h.mu.RUnlock()
	if e == nil {
		return DefaultEntry(t)
	}
	return e
}

// Subscribe implements Hub.
func (h *MemHub) Subscribe(wake func()) Subscription {
	return &subscriber{hub: h, wake: wake}
}

// Topics reports how many topics hold a value or a subscriber.
func (h *MemHub) Topics() int {
	h.mu.RLock()
	defer h.mu.RUnlock()
	return len(h.topics)
}

// sync brings the hub's registration of s in line with whether s follows
// each topic now, and marks followed topics dirty so that their current
// value is delivered. Add, Remove and Close change the subscriber's own
// set first and call sync afterwards; whichever sync runs last sees the
// final set, so concurrent calls can neither leave a closed subscriber
// registered nor unregister a topic that was added again.
func (h *MemHub) sync(s *subscriber, topics []Topic) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for _, t := range topics {
		ts := h.topics[t]
		var e *Entry // nil: Take asks Get, which knows the default
		if ts != nil {
			e = ts.entry
		}
		if f := s.lookup(t); f != nil && s.mark(f, e) {
			if ts == nil {
				ts = &topicState{}
				h.topics[t] = ts
			}
			if ts.subs == nil {
				ts.subs = make(map[*subscriber]*follow)
			}
			ts.subs[s] = f
			continue
		}
		if ts == nil {
			continue
		}
		delete(ts.subs, s)
		if len(ts.subs) == 0 && (ts.entry == nil || ts.dflt) {
			delete(h.topics, t)
		}
	}
}

// isDefault reports whether e holds what Get answers for a topic nothing
// was published for. The cheap field test spares an encoding per publish.
func isDefault(e *Entry) bool {
	if e.Topic.Kind == KindRoom {
		if e.Room.Occupants != 0 {
			return false
		}
	} else if e.Presence.Status != Unknown {
		return false
	}
	return bytes.Equal(e.JSON, DefaultEntry(e.Topic).JSON)
}

// DefaultEntry is the value of a topic nothing was published for: the
// presence of a JID that does not exist, or an empty room. It is also the
// answer for a topic a reader may not see (package visibility), so that the
// two cannot be told apart.
func DefaultEntry(t Topic) *Entry {
	if t.Kind == KindRoom {
		return NewRoomEntry(Room{Room: t.Name})
	}
	return NewPresenceEntry(UnknownPresence(t.Name))
}
