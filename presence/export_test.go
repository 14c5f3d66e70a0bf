package presence

import (
	"maps"
	"sort"
)

// Test-only access to state that production code reads through the hub.

// ChanSubscriber is a subscription whose wake-ups arrive on a channel of
// capacity 1, as an owner waiting in a select would use it. One pending
// wake-up is enough: the owner takes every dirty topic at once.
type ChanSubscriber struct {
	*subscriber
	c chan struct{}
}

// SubscribeChan subscribes to h with a wake-up channel.
func SubscribeChan(h *MemHub) *ChanSubscriber {
	c := make(chan struct{}, 1)
	return &ChanSubscriber{subscriber: h.Subscribe(func() {
		select {
		case c <- struct{}{}:
		default:
		}
	}).(*subscriber), c: c}
}

// C is signalled when at least one topic is dirty.
func (s *ChanSubscriber) C() <-chan struct{} { return s.c }

// Get returns the aggregated presence of jid (unknown for invisible JIDs).
func (d *Directory) Get(jid string) Presence {
	d.mu.Lock()
	defer d.mu.Unlock()
	p := d.entryLocked(jid).Presence
	p.Sources = maps.Clone(p.Sources) // the entry's is shared with the hub
	return p
}

// Groups returns the names of the watcher's roster groups that list at
// least one visible JID, sorted.
func (d *Directory) Groups() []string {
	d.mu.Lock()
	defer d.mu.Unlock()
	out := make([]string, 0, len(d.groups))
	for g, members := range d.groups {
		for _, jid := range members {
			if st := d.jids[jid]; st != nil && st.listed() {
				out = append(out, g)
				break
			}
		}
	}
	sort.Strings(out)
	return out
}
