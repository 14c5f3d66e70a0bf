package presence

import (
	"errors"
	"maps"
	"slices"
	"time"
)

// Errors of a shared store, mapped to HTTP status codes by the web layer.
var (
	// ErrUnavailable: the shared store cannot be reached; the write did not
	// happen and may be tried again later (docs/DESIGN.md, Replicas on Redis).
	ErrUnavailable = errors.New("store unavailable")
	// ErrFenced: a write of the XMPP watcher carried a fencing number older
	// than the current lease's: another replica holds the watcher now.
	ErrFenced = errors.New("watcher lease lost")
)

// Shared is one JID's value in a store that several replicas share: the
// record, with its version, and the aggregated presence it shows since
// Since. Gone says the record was deleted (Record then holds only the JID
// and the version of the deletion).
type Shared struct {
	Record   Record
	Presence Presence
	Since    time.Time
	Gone     bool
}

// SharedStore is a Store that several replicas share (docs/DESIGN.md,
// Replicas on Redis). Every replica's Directory aggregates in Go as a single
// server does; the store only makes each write conditional on the version
// the writer started from, and tells every replica of it, which hands it
// to its Directory's Apply.
type SharedStore interface {
	// Commit stores s if the stored record still has s.Record.Version (0:
	// none is stored), under a new, greater version, and returns what is
	// stored now. On a conflict it calls redo with what is stored and
	// tries again with redo's answer; redo answers false when, given
	// what is stored, there is nothing left to write (Commit then returns
	// the stored value). watcher marks a write of the XMPP watcher: the
	// store refuses it with ErrFenced once another replica holds the
	// watcher's lease. Unreachable: ErrUnavailable.
	Commit(s Shared, watcher bool, redo func(stored Shared) (Shared, bool)) (Shared, error)
	// Remove deletes the record of jid (a write of the watcher: fenced).
	Remove(jid string) error
	// SetRoom stores a room's occupant count (a write of the watcher).
	SetRoom(room string, occupants int) error
}

// rebase applies to stored what this replica changed from base to mine,
// field by field: what another replica wrote meanwhile stays, what this one
// wrote wins.
func rebase(base, mine, stored Record) Record {
	r := stored
	if mine.Subscribed != base.Subscribed {
		r.Subscribed = mine.Subscribed
	}
	if mine.OptedOut != base.OptedOut {
		r.OptedOut = mine.OptedOut
	}
	if mine.HideMessage != base.HideMessage {
		r.HideMessage = mine.HideMessage
	}
	if mine.Hidden != base.Hidden {
		r.Hidden = mine.Hidden
	}
	if !mine.LastSeen.Equal(base.LastSeen) && mine.LastSeen.After(r.LastSeen) {
		r.LastSeen = mine.LastSeen
	}
	if !httpEqual(mine.HTTP, base.HTTP) {
		r.HTTP = mine.HTTP
	}
	if !sourceEqual(mine.XMPP, base.XMPP) {
		r.XMPP = mine.XMPP
	}
	if !slices.Equal(mine.Groups, base.Groups) {
		r.Groups = mine.Groups
	}
	return r
}

// watcherFields reports whether mine changes, from base, what only the XMPP
// watcher writes: the XMPP source, the subscription, the roster groups and
// the user's choices (which come as chat commands).
func watcherFields(base, mine Record) bool {
	return mine.Subscribed != base.Subscribed || mine.OptedOut != base.OptedOut ||
		mine.HideMessage != base.HideMessage || mine.Hidden != base.Hidden || !sourceEqual(mine.XMPP, base.XMPP) ||
		!slices.Equal(mine.Groups, base.Groups)
}

func recordEqual(a, b Record) bool {
	return a.JID == b.JID && a.Subscribed == b.Subscribed && a.OptedOut == b.OptedOut &&
		a.HideMessage == b.HideMessage && a.Hidden == b.Hidden && a.LastSeen.Equal(b.LastSeen) &&
		httpEqual(a.HTTP, b.HTTP) && sourceEqual(a.XMPP, b.XMPP) && slices.Equal(a.Groups, b.Groups)
}

func httpEqual(a, b *HTTPState) bool {
	if a == nil || b == nil {
		return a == b
	}
	return a.Status == b.Status && a.Message == b.Message && a.Changed.Equal(b.Changed) && a.Expires.Equal(b.Expires)
}

func sourceEqual(a, b *SourceState) bool {
	if a == nil || b == nil {
		return a == b
	}
	return a.Status == b.Status && a.Message == b.Message && a.Changed.Equal(b.Changed)
}

func presenceEqual(a, b Presence) bool {
	return a.JID == b.JID && a.Status == b.Status && a.Message == b.Message &&
		a.Since.Equal(b.Since) && a.LastSeen.Equal(b.LastSeen) && maps.Equal(a.Sources, b.Sources)
}
