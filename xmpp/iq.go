package xmpp

import (
	"errors"
	"fmt"
)

// handleIQ answers requests and matches answers to what the session asked.
func (s *session) handleIQ(st *stanza) error {
	switch st.Type {
	case "result", "error":
		switch {
		case st.ID == "":
		case st.ID == s.rosterID && s.fromOwnServer(st.From):
			s.rosterID = ""
			// Without a roster nothing is known about who is subscribed:
			// syncing an empty one would forget every contact, opt-outs
			// and last_seen included. The session fails instead, and the
			// next one, after a backoff, asks again.
			if st.Type == "error" {
				return fmt.Errorf("xmpp: roster request refused: %s", st.Error.condition())
			}
			if st.Roster == nil {
				return errors.New("xmpp: roster result without a roster")
			}
			return s.syncRoster(st.Roster)
		case st.ID == s.pingID:
			return s.pong()
		case s.reqs.pending[st.ID] != nil:
			if ok, err := s.answered(st); ok {
				return err
			}
		case st.Type == "error":
			s.log.Debug("xmpp: request refused", "id", st.ID, "from", st.From, "condition", st.Error.condition())
		}
		return nil
	case "get", "set":
		return s.answerIQ(st)
	}
	return nil
}

// answerIQ serves roster pushes, pings and service discovery, and refuses
// everything else as RFC 6120 8.2.3 requires of every get and set.
func (s *session) answerIQ(st *stanza) error {
	switch {
	case st.Roster != nil && st.Type == "set" && s.fromOwnServer(st.From):
		return s.rosterPush(st)
	case st.Ping != nil && st.Type == "get":
		return s.send(iqResult(st.ID, st.From))
	case st.Disco != nil && st.Type == "get":
		if n := st.Disco.Node; n != "" && n != capsNode+"#"+ownVer {
			return s.send(iqError(st.ID, st.From, "cancel", "item-not-found"))
		}
		return s.send(discoInfo(st.ID, st.From, st.Disco.Node))
	case st.Roster != nil || st.Ping != nil || st.Disco != nil:
		// A namespace we know, asked of in a way we do not serve.
		return s.send(iqError(st.ID, st.From, "cancel", "feature-not-implemented"))
	}
	return s.send(iqError(st.ID, st.From, "cancel", "service-unavailable"))
}

// fromOwnServer: the roster and its pushes count only from the account
// itself (RFC 6121 2.1.3, 2.1.6); anyone else could fake a subscription.
func (s *session) fromOwnServer(from string) bool {
	if from == "" {
		return true
	}
	bare, _, err := splitJID(from)
	return err == nil && bare == s.bare
}
