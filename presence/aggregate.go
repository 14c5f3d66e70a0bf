package presence

import (
	"iter"
	"time"
)

// Resource is the presence of one connected XMPP resource.
type Resource struct {
	Status   Status
	Message  string
	Priority int
	Changed  time.Time
	// Device is the client type of the resource ("pc", "phone") from its
	// verified XEP-0115 capabilities; "" until known.
	Device string
	// IdleSince is when the user went idle there (XEP-0319); zero if not.
	IdleSince time.Time
}

// Best picks the resource that speaks for the account: the highest priority
// wins, ties go to the most recent change. ok is false when there is none.
// A full tie goes to the resource name that sorts first, so that the answer
// never depends on map order: otherwise each republish could flip the
// message and wake every subscriber for nothing.
func Best(resources map[string]Resource) (best Resource, ok bool) {
	var name string
	for n, r := range resources {
		if !ok || r.Priority > best.Priority ||
			(r.Priority == best.Priority && (r.Changed.After(best.Changed) ||
				r.Changed.Equal(best.Changed) && n < name)) {
			best, name, ok = r, n, true
		}
	}
	return best, ok
}

// SourceState is what one source says of a JID.
type SourceState struct {
	Status  Status    `json:"status"`
	Message string    `json:"message,omitempty"`
	Changed time.Time `json:"changed,omitzero"`
}

// Merge applies the rule across sources: the most recently changed source
// that is online wins; with none online, any unknown source makes the JID
// unknown (we cannot say it is offline); otherwise the JID is offline, with
// the message and time of the most recent change. Ties go to the source
// name that sorts first, so that the answer never depends on the order the
// sources come in.
func Merge(sources iter.Seq2[Source, SourceState]) SourceState {
	var online, rest SourceState
	var onlineName, restName Source
	var haveOnline, haveRest, anyUnknown bool
	for name, s := range sources {
		if s.Status.Online() {
			if !haveOnline || newer(s, name, online, onlineName) {
				online, onlineName, haveOnline = s, name, true
			}
			continue
		}
		if s.Status == Unknown {
			anyUnknown = true
		}
		if !haveRest || newer(s, name, rest, restName) {
			rest, restName, haveRest = s, name, true
		}
	}
	switch {
	case haveOnline:
		return online
	case anyUnknown:
		return SourceState{Status: Unknown, Changed: rest.Changed}
	case haveRest:
		return SourceState{Status: Offline, Message: rest.Message, Changed: rest.Changed}
	}
	return SourceState{Status: Unknown}
}

// newer reports whether a (from source an) goes before b (from bn).
func newer(a SourceState, an Source, b SourceState, bn Source) bool {
	return a.Changed.After(b.Changed) || a.Changed.Equal(b.Changed) && an < bn
}

// sourceStates is what each source says of a JID, at most one entry per
// source, in a fixed array: aggregating a JID, which every write and
// every XMPP change does, allocates nothing for it.
type sourceStates struct {
	n      int
	names  [2]Source
	states [2]SourceState
}

func (s *sourceStates) add(name Source, st SourceState) {
	s.names[s.n], s.states[s.n] = name, st
	s.n++
}

// all yields each source and what it says.
func (s *sourceStates) all() iter.Seq2[Source, SourceState] {
	return func(yield func(Source, SourceState) bool) {
		for i := range s.n {
			if !yield(s.names[i], s.states[i]) {
				return
			}
		}
	}
}
