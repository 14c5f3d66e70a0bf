package presence

import "time"

// Record is what badges keeps of a JID across restarts: the opt-in, the
// user's choices, the last time it went offline and the http-source presence.
type Record struct {
	JID string `json:"jid"`
	// Subscribed: the watcher holds a presence subscription to the JID.
	Subscribed bool `json:"subscribed,omitempty"`
	// OptedOut: the user asked not to be shown although still subscribed.
	OptedOut bool `json:"opted_out,omitempty"`
	// HideMessage: the user asked that their status text not be served.
	HideMessage bool `json:"hide_message,omitempty"`
	// Hidden: the other fields the user asked not to be served (the
	// message is HideMessage, which older records hold).
	Hidden   FieldSet   `json:"hidden,omitzero"`
	LastSeen time.Time  `json:"last_seen,omitzero"`
	HTTP     *HTTPState `json:"http,omitempty"`
	// XMPP is what the XMPP watcher last said of the JID, for replicas
	// that do not run it; only a shared store (SharedStore) keeps it.
	XMPP *SourceState `json:"xmpp,omitempty"`
	// Details are the rich presence the XMPP watcher derived, before
	// privacy applies, for replicas that do not run it; only a shared
	// store keeps them.
	Details *Details `json:"details,omitempty"`
	// Groups are the JID's roster groups, sorted, for replicas that do not
	// run the watcher; only a shared store keeps them.
	Groups []string `json:"groups,omitempty"`
	// Version is the shared store's version of the record; 0 for the
	// embedded store and for a record not stored yet.
	Version uint64 `json:"-"`
}

// HiddenFields is every field the user asked not to be served.
func (r Record) HiddenFields() FieldSet {
	h := r.Hidden.Without(FieldMessage) &^ NoFields
	if r.HideMessage {
		h = h.With(FieldMessage)
	}
	return h
}

// SetHidden records the user's hidden fields, the message in HideMessage.
func (r *Record) SetHidden(h FieldSet) {
	r.HideMessage = h.Has(FieldMessage)
	r.Hidden = h.Without(FieldMessage) & AllFields
}

// HTTPState is presence pushed over HTTP, valid until Expires.
type HTTPState struct {
	Status  Status    `json:"status"`
	Message string    `json:"message,omitempty"`
	Changed time.Time `json:"changed"`
	Expires time.Time `json:"expires"`
}

// Store keeps records across restarts: the Directory's one seam to disk.
// Write makes a batch of writes durable, in one transaction where the
// store can, and returns once they are: nil when every write is stored, or
// else the error of each write (nil for one stored). The Directory writes
// from one goroutine at a time, without its lock held, and with at most
// one write per JID in a batch (docs/DESIGN.md, "Durable writes").
type Store interface {
	Records() ([]Record, error)
	Write(batch []Write) []error
}

// Write is one change handed to a Store: Record stored under its JID or,
// with Delete, everything stored of that JID removed.
type Write struct {
	Record Record
	Delete bool
}
