package xmpp

import (
	"errors"
	"fmt"
	"time"

	"badges/presence"
)

// pingTimeout is how long a keepalive ping may go unanswered before the
// connection counts as dead. It must be less than the ping interval so that
// at most one ping is outstanding; half of it leaves a live server more than
// enough room even under load.
func pingTimeout(interval time.Duration) time.Duration { return interval / 2 }

func errPingTimeout(interval time.Duration) error {
	return fmt.Errorf("xmpp: no answer to ping within %v: connection dead", pingTimeout(interval))
}

// ping sends an XEP-0199 ping to the server and arms its timeout.
func (s *session) ping() error {
	s.pingID = s.ids.next()
	if err := s.send(pingIQ(s.pingID, presence.Domain(s.bare))); err != nil {
		return err
	}
	s.pingT = time.NewTimer(pingTimeout(s.cfg.PingInterval))
	s.pingDue = s.pingT.C
	return nil
}

// pong handles the answer to the outstanding ping. An error answer proves
// the connection alive just as well (XEP-0199 6: a server without ping
// support answers service-unavailable).
//
// The server answers a session's requests in order, so an answer to the
// sync ping before the roster means the roster answer was lost: the session
// fails rather than hold presence for a roster that will never come.
func (s *session) pong() error {
	defer s.stopPing()
	if s.pingID != s.syncID {
		return nil
	}
	if s.roster == nil {
		return errors.New("xmpp: the sync ping was answered but the roster request never was")
	}
	s.ponged = true
	return s.maybeEndSync()
}

func (s *session) stopPing() {
	if s.pingT != nil {
		s.pingT.Stop()
	}
	s.pingID, s.pingT, s.pingDue = "", nil, nil
}
