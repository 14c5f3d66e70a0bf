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
// Save and Delete must be durable when they return nil. They are called
// concurrently for different JIDs, never for the same JID at once, and
// without the Directory's lock held, so a store may group concurrent
// calls into one commit (docs/DESIGN.md, "Durable writes"). Delete
// removes the record of a JID forgotten.
type Store interface {
	Records() ([]Record, error)
	Save(r Record) error
	Delete(jid string) error
}
