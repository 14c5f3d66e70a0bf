package presence

import "time"

// Resource is the presence of one connected XMPP resource.
type Resource struct {
	Status   Status
	Message  string
	Priority int
	Changed  time.Time
}

// Best picks the resource that speaks for the account: the highest priority
// wins, ties go to the most recent change. ok is false when there is none.
func Best(resources map[string]Resource) (best Resource, ok bool) {
	for _, r := range resources {
		if !ok || r.Priority > best.Priority ||
			(r.Priority == best.Priority && r.Changed.After(best.Changed)) {
			best, ok = r, true
		}
	}
	return best, ok
}

// SourceState is what one source says of a JID.
type SourceState struct {
	Status  Status
	Message string
	Changed time.Time
}

// Merge applies the rule across sources: the most recently changed source
// that is online wins; with none online, any unknown source makes the JID
// unknown (we cannot say it is offline); otherwise the JID is offline, with
// the message and time of the most recent change.
func Merge(sources map[Source]SourceState) SourceState {
	var online, rest SourceState
	var haveOnline, haveRest, anyUnknown bool
	for _, s := range sources {
		switch {
		case s.Status.Online():
			if !haveOnline || s.Changed.After(online.Changed) {
				online, haveOnline = s, true
			}
		default:
			if s.Status == Unknown {
				anyUnknown = true
			}
			if !haveRest || s.Changed.After(rest.Changed) {
				rest, haveRest = s, true
			}
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
