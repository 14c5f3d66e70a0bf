package xmpp

import (
	"context"
	"log/slog"
	"time"

	"badges/presence"
)

// session is the state of one logged-in connection. All of it lives in the
// goroutine that calls run; nothing here is shared.
type session struct {
	cfg    *Config
	sink   Sink
	log    *slog.Logger
	link   *link
	bare   string // the watcher's own bare JID
	ids    idGen
	ready  func() // called once the initial sync is done
	synced bool

	// Roster: nil until the roster result arrives. Presence and messages
	// that come earlier wait in held, since deciding about them needs it.
	rosterID string
	roster   map[string]rosterEntry
	held     []*stanza

	// Keepalive: at most one ping is outstanding.
	syncID  string // the ping whose answer ends the initial presence flood
	ponged  bool   // that answer came
	pingID  string
	pingT   *time.Timer
	pingDue <-chan time.Time

	resources map[string]map[string]struct{} // contact -> resources seen available
	rooms     map[string]*room
	hinted    map[string]time.Time // when a JID last got the "unknown command" hint
}

func newSession(cfg *Config, sink Sink, l *link, ready func()) *session {
	s := &session{
		cfg: cfg, sink: sink, link: l, ready: ready,
		log:       cfg.Logger,
		bare:      cfg.JID,
		ids:       idGen{prefix: "b"},
		resources: make(map[string]map[string]struct{}),
		rooms:     make(map[string]*room, len(cfg.Rooms)),
		hinted:    make(map[string]time.Time),
	}
	for _, r := range cfg.Rooms {
		s.rooms[r] = &room{jid: r, nick: cfg.RoomNick, count: -1, occupants: make(map[string]struct{})}
	}
	return s
}

func (s *session) send(stanza string) error { return s.link.send(stanza) }

// run performs the initial sync and then handles stanzas until the link
// fails or ctx is done.
//
// The sync: BeginSync, ask for the roster, send presence, then ping the
// server. A server handles one session's stanzas in order, and it sends the
// presence of the contacts it knows while handling our presence, so the
// answer to that ping comes after all of it: that is when EndSync drops the
// resources nobody announced again. Contacts on other servers may answer
// later; their presence then simply arrives as an update. No fixed quiet
// period is needed, and a dead server is caught by the ping's timeout.
func (s *session) run(ctx context.Context) error {
	defer s.stopPing()
	s.sink.Connected()
	s.sink.BeginSync()
	s.rosterID = s.ids.next()
	if err := s.send(rosterGet(s.rosterID)); err != nil {
		return err
	}
	if err := s.send(ownPresence()); err != nil {
		return err
	}
	if err := s.ping(); err != nil {
		return err
	}
	s.syncID = s.pingID
	for _, r := range s.cfg.Rooms {
		if err := s.send(mucJoin(r, s.rooms[r].nick)); err != nil {
			return err
		}
	}
	keepalive := time.NewTicker(s.cfg.PingInterval)
	defer keepalive.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case st, ok := <-s.link.in:
			if !ok {
				return s.link.err()
			}
			if err := s.handle(st); err != nil {
				return err
			}
		case <-keepalive.C:
			if s.pingID == "" {
				if err := s.ping(); err != nil {
					return err
				}
			}
		case <-s.pingDue:
			return errPingTimeout(s.cfg.PingInterval)
		}
	}
}

func (s *session) handle(st *stanza) error {
	switch st.kind() {
	case "iq":
		return s.handleIQ(st)
	case "presence":
		if bare, nick, err := splitJID(st.From); err == nil {
			if r := s.rooms[bare]; r != nil {
				return s.roomPresence(r, nick, st)
			}
		}
		if s.roster == nil {
			s.held = append(s.held, st)
			return nil
		}
		return s.handlePresence(st)
	case "message":
		if s.roster == nil {
			s.held = append(s.held, st)
			return nil
		}
		return s.handleMessage(st)
	}
	return nil
}

// handlePresence sorts a presence that is not from a followed room.
func (s *session) handlePresence(st *stanza) error {
	bare, res, err := splitJID(st.From)
	if err != nil || st.From == "" {
		s.log.Debug("xmpp: presence with a bad sender ignored", "from", st.From)
		return nil
	}
	if bare == s.bare {
		return nil // the watcher's own session(s)
	}
	if st.MUC != nil {
		return nil // a room we do not follow (any more): never a user's presence
	}
	switch st.Type {
	case "", "unavailable":
		s.contactPresence(bare, res, st)
	case "subscribe":
		return s.onSubscribe(bare)
	case "unsubscribe", "unsubscribed":
		return s.onUnsubscribe(bare, st.Type)
	case "error":
		s.log.Debug("xmpp: presence error", "from", st.From, "condition", st.Error.condition())
	}
	return nil
}

// maybeEndSync ends the initial sync once the roster and the answer to the
// sync ping are both in.
func (s *session) maybeEndSync() {
	if s.synced || s.roster == nil || !s.ponged {
		return
	}
	s.synced = true
	s.sink.EndSync()
	s.ready()
	s.log.Info("xmpp: synced", "contacts", len(s.roster), "rooms", len(s.rooms))
}

// dropResources forgets which resources of jid were seen; the Sink has
// forgotten them with the contact.
func (s *session) dropResources(jid string) { delete(s.resources, jid) }

// contactPresence applies the availability of one resource of a contact.
// The Sink ignores JIDs the watcher is not subscribed to; the roster check
// spares it the calls.
func (s *session) contactPresence(jid, res string, st *stanza) {
	if !s.roster[jid].subscribed() {
		return
	}
	seen := s.resources[jid]
	if st.Type == "unavailable" {
		if res == "" {
			// From the bare JID: no resource is available (RFC 6121 4.3.2).
			for r := range seen {
				s.sink.RemoveResource(jid, r)
			}
			delete(s.resources, jid)
			return
		}
		s.sink.RemoveResource(jid, res)
		delete(seen, res)
		return
	}
	s.sink.SetResource(jid, res, presence.Resource{
		Status:   status(st.Show),
		Message:  text(st.Status),
		Priority: priority(st.Priority),
	})
	if seen == nil {
		seen = make(map[string]struct{}, 1)
		s.resources[jid] = seen
	}
	seen[res] = struct{}{}
}
