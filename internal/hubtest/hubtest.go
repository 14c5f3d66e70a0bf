// Package hubtest holds test helpers over presence.Hub: a hub that records
// what is published through it, and a subscription that wakes its owner on
// a channel. The recorder is a second implementation of presence.Hub and
// presence.Subscription outside package presence, built on the interfaces
// alone (docs/DESIGN.md, "The hub").
package hubtest

import (
	"sync"

	"badges/presence"
)

// Recorder is a presence.Hub that hands every call to another hub and
// records the values published through it.
type Recorder struct {
	inner presence.Hub

	mu        sync.Mutex
	published []*presence.Entry
	subs      int // subscriptions open
}

var _ presence.Hub = (*Recorder)(nil)

// NewRecorder wraps inner.
func NewRecorder(inner presence.Hub) *Recorder { return &Recorder{inner: inner} }

// Publish implements presence.Hub.
func (r *Recorder) Publish(e *presence.Entry) {
	r.mu.Lock()
	r.published = append(r.published, e)
	r.mu.Unlock()
	r.inner.Publish(e)
}

// Get implements presence.Hub.
func (r *Recorder) Get(t presence.Topic) *presence.Entry { return r.inner.Get(t) }

// Subscribe implements presence.Hub.
func (r *Recorder) Subscribe(wake func()) presence.Subscription {
	r.mu.Lock()
	r.subs++
	r.mu.Unlock()
	return &recordedSub{inner: r.inner.Subscribe(wake), r: r}
}

// Published returns the values published for t so far, oldest first.
func (r *Recorder) Published(t presence.Topic) []*presence.Entry {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []*presence.Entry
	for _, e := range r.published {
		if e.Topic == t {
			out = append(out, e)
		}
	}
	return out
}

// Subscriptions reports how many subscriptions are open.
func (r *Recorder) Subscriptions() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.subs
}

// recordedSub is the Recorder's presence.Subscription: the inner hub's,
// counted until it is closed.
type recordedSub struct {
	inner  presence.Subscription
	r      *Recorder
	closed sync.Once
}

func (s *recordedSub) Add(limit int, topics ...presence.Topic) error {
	return s.inner.Add(limit, topics...)
}
func (s *recordedSub) Remove(topics ...presence.Topic)              { s.inner.Remove(topics...) }
func (s *recordedSub) Take(dst []*presence.Entry) []*presence.Entry { return s.inner.Take(dst) }
func (s *recordedSub) Pending() bool                                { return s.inner.Pending() }
func (s *recordedSub) Len() int                                     { return s.inner.Len() }

func (s *recordedSub) Close() {
	s.closed.Do(func() {
		s.r.mu.Lock()
		s.r.subs--
		s.r.mu.Unlock()
	})
	s.inner.Close()
}

// Chan is a subscription whose wake-ups arrive on a channel of capacity 1,
// for a test that waits in a select. One pending wake-up is enough: the
// owner takes every changed topic at once.
type Chan struct {
	presence.Subscription
	c chan struct{}
}

// Subscribe subscribes to h with a wake-up channel.
func Subscribe(h presence.Hub) *Chan {
	c := make(chan struct{}, 1)
	return &Chan{Subscription: h.Subscribe(func() {
		select {
		case c <- struct{}{}:
		default:
		}
	}), c: c}
}

// C is signalled when at least one topic has changed.
func (s *Chan) C() <-chan struct{} { return s.c }
