// Package visibility decides what a reader may see of a topic. Every read
// of presence (badges, images, JSON, shields, pages, the live WebSocket,
// the Openfire and kopano compatibility APIs) asks Rule.Read, and nothing
// else reads the hub for a reader: this is the one place a per-reader rule
// lives (docs/API.md#presence-model).
package visibility

import "badges/presence"

// Verifier checks a signed-visibility signature for a topic.
type Verifier func(t presence.Topic, sig string) bool

// Rule is the visibility rule over a hub: public (every reader sees every
// topic) or signed (a reader sees a topic only with a valid sig for it).
type Rule struct {
	hub    presence.Hub
	verify Verifier
}

// New returns the rule over hub; verify nil means public visibility.
func New(hub presence.Hub, verify Verifier) *Rule {
	return &Rule{hub: hub, verify: verify}
}

// Signed reports whether readers need a sig. Reads that cannot carry one
// per topic (a roster group's dashboard, the answer to a key's write) are
// refused or reduced under signed visibility.
func (r *Rule) Signed() bool { return r.verify != nil }

// Read returns what a reader holding sig sees of t, and whether that is t's
// own value. A reader that may not see t gets the hub's default value,
// exactly what a JID or room that does not exist shows, so that hidden and
// unknown cannot be told apart.
func (r *Rule) Read(t presence.Topic, sig string) (e *presence.Entry, visible bool) {
	if r.verify != nil && !r.verify(t, sig) {
		return presence.DefaultEntry(t), false
	}
	return r.hub.Get(t), true
}

// Entry is Read's value alone.
func (r *Rule) Entry(t presence.Topic, sig string) *presence.Entry {
	e, _ := r.Read(t, sig)
	return e
}
