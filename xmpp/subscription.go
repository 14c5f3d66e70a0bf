package xmpp

import (
	"slices"

	"badges/presence"
)

// allowed applies the subscription policy (docs/API.md#configuration, -subscriptions). JIDs
// the operator listed in Watch may always opt in.
func (s *session) allowed(jid string) bool {
	if slices.Contains(s.cfg.Watch, jid) {
		return true
	}
	switch s.cfg.Policy {
	case PolicyOpen:
		return true
	case PolicyDomains:
		return slices.Contains(s.cfg.AllowDomains, presence.Domain(jid))
	}
	return false
}

// onSubscribe answers a subscription request (RFC 6121 3.1.3). Approving
// lets the user see the watcher; asking back is what makes the user
// visible, once the user approves in turn.
func (s *session) onSubscribe(jid string) error {
	if !s.allowed(jid) {
		s.log.Info("xmpp: subscription refused by policy", "jid", jid, "policy", s.cfg.Policy)
		return s.send(presenceTo(jid, "unsubscribed"))
	}
	s.log.Info("xmpp: subscription approved", "jid", jid)
	if err := s.send(presenceTo(jid, "subscribed")); err != nil {
		return err
	}
	if e := s.roster[jid]; !e.subscribed() && !e.ask {
		return s.send(presenceTo(jid, "subscribe"))
	}
	return nil
}

// onUnsubscribe handles a user who unsubscribed from the watcher or
// cancelled its subscription (RFC 6121 3.2, 3.3). docs/API.md#presence-model: the JID turns
// invisible at once and its stored data goes. Removing the contact from the
// roster as well cancels what is left of the subscription in both
// directions, so the next roster sync cannot bring the JID back.
//
// Until the server confirms the removal the JID is leaving: the server
// first pushes the direction the user cancelled (Prosody: subscription
// "to"), which must not make the JID visible again, and a connection lost
// before the removal leaves the JID in the next roster, where the removal
// is asked again (see syncRoster). The leaving set lives as long as Run;
// a restart in that window, a fraction of a second, would keep the JID.
func (s *session) onUnsubscribe(jid, typ string) error {
	s.log.Info("xmpp: contact left", "jid", jid, "by", typ)
	if err := s.sink.Forget(jid); err != nil {
		s.log.Error("xmpp: forget a contact", "jid", jid, "err", err)
	}
	s.forgetRich(jid)
	if _, known := s.roster[jid]; !known {
		return nil
	}
	// Until the server's roster push confirms the removal, nothing of the
	// entry may count as a subscription.
	s.roster[jid] = rosterEntry{sub: "none"}
	s.across.leaving[jid] = struct{}{}
	return s.send(rosterRemove(s.ids.next(), jid))
}

// watch asks the JIDs of Config.Watch for a subscription unless one is held
// or pending. It asks once per Run, not on every reconnect: someone who
// declined must not be asked again each time the network hiccups.
func (s *session) watch() error {
	if s.across.watchAsked {
		return nil
	}
	s.across.watchAsked = true
	for _, jid := range s.cfg.Watch {
		if e := s.roster[jid]; e.subscribed() || e.ask || jid == s.bare {
			continue
		}
		if err := s.send(presenceTo(jid, "subscribe")); err != nil {
			return err
		}
	}
	return nil
}
