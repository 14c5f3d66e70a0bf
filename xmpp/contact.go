package xmpp

// handlePresence sorts a presence that is not from a followed room.
func (s *session) handlePresence(st *stanza, bare, res string) error {
	if bare == s.bare {
		return nil // the watcher's own session(s)
	}
	if st.MUC != nil {
		return nil // a room we do not follow (any more): never a user's presence
	}
	switch st.Type {
	case "", "unavailable":
		return s.contactPresence(bare, res, st)
	case "subscribe":
		return s.onSubscribe(bare)
	case "unsubscribe", "unsubscribed":
		return s.onUnsubscribe(bare, st.Type)
	case "error":
		s.log.Debug("xmpp: presence error", "from", st.From, "condition", st.Error.condition())
	}
	return nil
}

// contactPresence applies the availability of one resource of a contact.
// The Sink ignores JIDs the watcher is not subscribed to; the roster check
// spares it the calls.
func (s *session) contactPresence(jid, res string, st *stanza) error {
	if !s.roster[jid].subscribed() {
		return nil
	}
	switch {
	case st.Type == "unavailable" && res == "":
		// From the bare JID: no resource is available (RFC 6121 4.3.2).
		s.sink.RemoveResources(jid)
	case st.Type == "unavailable":
		s.sink.RemoveResource(jid, res)
	default:
		s.sink.SetResource(jid, res, s.resource(st))
		return s.richPresence(jid, res, st)
	}
	return nil
}
