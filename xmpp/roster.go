package xmpp

import (
	"slices"
	"strings"

	"badges/presence"
)

// rosterQuery is <query xmlns='jabber:iq:roster'/> (RFC 6121 2.1), read
// with the subscription state of each item.
type rosterQuery struct {
	Items []rosterItemXML `xml:"item"`
}

type rosterItemXML struct {
	JID          string   `xml:"jid,attr"`
	Subscription string   `xml:"subscription,attr"`
	Ask          string   `xml:"ask,attr"`
	Groups       []string `xml:"group"`
}

// rosterEntry is what the session keeps of one contact.
type rosterEntry struct {
	sub    string // none, to, from or both (RFC 6121 2.1.2.5)
	ask    bool   // our subscription request is pending
	groups []string
}

// subscribed: the watcher holds a subscription to the contact's presence,
// which is what makes the contact visible (docs/API.md#presence-model).
func (e rosterEntry) subscribed() bool { return e.sub == "to" || e.sub == "both" }

func (e rosterEntry) item() presence.RosterItem {
	return presence.RosterItem{Subscribed: e.subscribed(), Groups: e.groups}
}

// parseRoster normalises the items of a roster result or push. Items whose
// JID is invalid are left out; "remove" is kept for pushes. Unknown
// subscription values count as none (RFC 6121 2.1.2.5).
func parseRoster(q *rosterQuery) map[string]rosterEntry {
	out := make(map[string]rosterEntry)
	if q == nil {
		return out
	}
	for _, it := range q.Items {
		jid, err := presence.ParseJID(strings.TrimSpace(it.JID))
		if err != nil || strings.Contains(it.JID, "/") {
			continue
		}
		e := rosterEntry{sub: strings.TrimSpace(it.Subscription), ask: strings.TrimSpace(it.Ask) == "subscribe"}
		switch e.sub {
		case "to", "from", "both", "remove":
		default:
			e.sub = "none"
		}
		for _, g := range it.Groups {
			if g = strings.TrimSpace(g); g != "" && !slices.Contains(e.groups, g) {
				e.groups = append(e.groups, g)
			}
		}
		out[jid] = e
	}
	return out
}

// syncRoster applies the roster result: the Sink learns the visible
// contacts, then the presence and messages held back meanwhile are handled.
func (s *session) syncRoster(q *rosterQuery) error {
	entries := parseRoster(q)
	delete(entries, s.bare)
	items := make(map[string]presence.RosterItem)
	var removeAgain []string
	for jid, e := range entries {
		if e.sub == "remove" {
			delete(entries, jid)
			continue
		}
		if _, leaving := s.across.leaving[jid]; leaving {
			// The user left, and the removal was lost with the last
			// connection: the JID stays invisible and is removed again.
			entries[jid] = rosterEntry{sub: "none"}
			removeAgain = append(removeAgain, jid)
			continue
		}
		if e.subscribed() {
			items[jid] = e.item()
		}
	}
	for jid := range s.across.leaving {
		if _, listed := entries[jid]; !listed {
			delete(s.across.leaving, jid) // the removal went through
		}
	}
	s.roster = entries
	for jid := range s.across.rich.contacts {
		if _, ok := items[jid]; !ok {
			s.forgetRich(jid)
		}
	}
	if err := s.sink.SyncRoster(items); err != nil {
		s.log.Error("xmpp: store the roster", "err", err)
	}
	for _, jid := range removeAgain {
		if err := s.send(rosterRemove(s.ids.next(), jid)); err != nil {
			return err
		}
	}
	held := s.held
	s.held = nil
	for _, st := range held {
		if err := s.handle(st); err != nil {
			return err
		}
	}
	if err := s.watch(); err != nil {
		return err
	}
	return s.maybeEndSync()
}

// rosterPush applies a roster change (RFC 6121 2.1.6). Only a loss of the
// watcher's subscription reaches the Sink as a removal: entries that were
// never visible have nothing there to forget.
func (s *session) rosterPush(st *stanza) error {
	if err := s.send(iqResult(st.ID, st.From)); err != nil {
		return err
	}
	if s.roster == nil {
		return nil // the roster result, still to come, already includes this change
	}
	for jid, e := range parseRoster(st.Roster) {
		if jid == s.bare {
			continue
		}
		prev, known := s.roster[jid]
		_, leaving := s.across.leaving[jid]
		var err error
		switch {
		case leaving && e.sub != "remove":
			// The steps of an unsubscribe before the removal the watcher
			// asked for: the JID stays invisible (see onUnsubscribe).
		case e.sub == "remove":
			delete(s.across.leaving, jid)
			delete(s.roster, jid)
			if known && prev.subscribed() {
				err = s.sink.RemoveRosterItem(jid)
			}
			s.forgetRich(jid)
		case e.subscribed():
			s.roster[jid] = e
			err = s.sink.SetRosterItem(jid, e.item())
			if !prev.subscribed() {
				if err := s.newContact(jid); err != nil {
					return err
				}
			}
		default:
			s.roster[jid] = e
			if prev.subscribed() {
				err = s.sink.SetRosterItem(jid, e.item())
			}
		}
		if err != nil {
			s.log.Error("xmpp: store a roster change", "jid", jid, "err", err)
		}
	}
	return nil
}
