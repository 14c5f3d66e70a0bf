// Package presence is the domain of badges: JIDs, statuses, the four kopano
// states, the aggregation rules across resources and sources, and the
// latest-value hub that fans presence out to every reader.
//
// It imports only the standard library and the JID package; everything else
// in the project depends on it.
package presence

import "fmt"

// Status is an XMPP-style availability: the value of <show/>, plus offline
// and unknown.
type Status string

// The statuses, in the order of docs/API.md#presence-model.
const (
	Available Status = "available"
	Chat      Status = "chat"
	Away      Status = "away"
	XA        Status = "xa"
	DND       Status = "dnd"
	Offline   Status = "offline"
	Unknown   Status = "unknown"
)

// Statuses lists every status, for tables and tests.
var Statuses = []Status{Available, Chat, Away, XA, DND, Offline, Unknown}

// ParseStatus accepts the status names of docs/API.md#presence-model.
func ParseStatus(s string) (Status, error) {
	switch st := Status(s); st {
	case Available, Chat, Away, XA, DND, Offline, Unknown:
		return st, nil
	}
	return "", fmt.Errorf("%w: %q (want one of available, chat, away, xa, dnd, offline, unknown)", ErrBadStatus, s)
}

// Online reports whether the status is a known, present one (neither
// offline nor unknown).
func (s Status) Online() bool { return s != Offline && s != Unknown && s != "" }

// State is one of the four kopano-presence states.
type State string

// The kopano states.
const (
	StateAvailable   State = "available"
	StateBusy        State = "busy"
	StateAway        State = "away"
	StateUnavailable State = "unavailable"
)

// State maps a status to its kopano state.
func (s Status) State() State {
	switch s {
	case Available, Chat:
		return StateAvailable
	case DND:
		return StateBusy
	case Away, XA:
		return StateAway
	}
	return StateUnavailable
}

// ParseState accepts a kopano state and returns the status that stands for it.
func ParseState(s string) (Status, error) {
	switch State(s) {
	case StateAvailable:
		return Available, nil
	case StateBusy:
		return DND, nil
	case StateAway:
		return Away, nil
	case StateUnavailable:
		return Offline, nil
	}
	return "", fmt.Errorf("%w: state %q (want available, busy, away or unavailable)", ErrBadStatus, s)
}
