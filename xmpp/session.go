package xmpp

import (
	"context"
	"crypto/rand"
	"fmt"
	"log/slog"
	"time"

	"badges/presence"
)

// maxHeld bounds the stanzas held back until the roster arrives. The server
// answers the roster request before handling our initial presence, so only
// what was already on its way waits; more than four inboxes' worth means
// the answer is not coming, and the session ends rather than grow.
const maxHeld = 4 * inboxSize

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

	across *runState // what outlives the session; owned by Run's goroutine

	// Rich presence: the requests outstanding, the resources waiting for
	// the answer about their capabilities, the contacts seen online.
	reqs     requests
	capsWait map[string][]resKey
	online   map[string]bool

	rooms  map[string]*room
	rejoin chan string          // rooms whose rejoin timer fired
	done   chan struct{}        // closed when run ends: the rejoin timers and the picture worker stop
	hinted map[string]time.Time // when a JID last got the "unknown command" hint

	pictures pictureQueue // pictures being decoded (pictures.go)
}

// runState is what one Run keeps from one session to the next.
type runState struct {
	// watchAsked: Config.Watch was asked for subscriptions (see watch).
	watchAsked bool
	// leaving holds the contacts who unsubscribed and whose roster removal
	// the server has not confirmed yet (see onUnsubscribe).
	leaving map[string]struct{}
	// rich is what contacts published of themselves (see rich.go).
	rich richState
}

func newSession(cfg *Config, sink Sink, l *link, ready func(), across *runState) *session {
	s := &session{
		cfg: cfg, sink: sink, link: l, ready: ready, across: across,
		log:    cfg.Logger,
		bare:   cfg.JID,
		ids:    idGen{prefix: "badges-" + rand.Text()[:8] + "-"},
		rooms:  make(map[string]*room, len(cfg.Rooms)),
		rejoin: make(chan string, len(cfg.Rooms)),
		done:   make(chan struct{}),
		hinted: make(map[string]time.Time),

		capsWait: make(map[string][]resKey),
		online:   make(map[string]bool),
		pictures: newPictureQueue(),
	}
	if across.rich.contacts == nil {
		across.rich = newRichState()
	}
	for _, r := range cfg.Rooms {
		s.rooms[r] = &room{jid: r, nick: cfg.RoomNick, count: -1, occupants: make(map[string]struct{}),
			rejoinBo: backoff{base: cfg.BackoffBase, cap: cfg.BackoffCap}}
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
// resources of the server's own users that nobody announced again. Contacts
// on other servers answer later, over s2s, so theirs are dropped only a
// bounded grace after EndSync (presence.DefaultSyncGrace). A dead server is
// caught by the ping's timeout.
func (s *session) run(ctx context.Context) error {
	defer s.stopPing()
	defer s.abandonPictures()
	defer s.stopRooms()
	if s.cfg.Avatars != nil { // pictures are fetched only then
		go s.pictures.decodeWorker(s.done, s.cfg.Avatars)
	}
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
	sweep := time.NewTicker(requestSweep)
	defer sweep.Stop()
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
		case now := <-sweep.C:
			if err := s.expireRequests(now); err != nil {
				return err
			}
		case jid := <-s.rejoin:
			if err := s.rejoinRoom(jid); err != nil {
				return err
			}
		case d := <-s.pictures.out:
			if err := s.pictureDecoded(d); err != nil {
				return err
			}
		case <-s.pingDue:
			return errPingTimeout(s.cfg.PingInterval)
		}
	}
}

func (s *session) handle(st *stanza) error {
	if st.kind() == "iq" {
		return s.handleIQ(st)
	}
	jid, res, err := splitJID(st.From)
	if err != nil || st.From == "" {
		s.log.Debug("xmpp: stanza with a bad sender ignored", "kind", st.kind(), "from", st.From)
		return nil
	}
	if r := s.rooms[jid]; r != nil {
		if st.kind() == "presence" {
			return s.roomPresence(r, res, st)
		}
		return nil // room messages: subjects, chatter, private messages
	}
	if s.roster == nil {
		if len(s.held) >= maxHeld {
			return fmt.Errorf("xmpp: %d stanzas and still no answer to the roster request", maxHeld)
		}
		s.held = append(s.held, st)
		return nil
	}
	switch st.kind() {
	case "presence":
		return s.handlePresence(st, jid, res)
	case "message":
		return s.handleMessage(st, jid)
	}
	return nil
}

// maybeEndSync ends the initial sync once the roster and the answer to the
// sync ping are both in.
func (s *session) maybeEndSync() error {
	if s.synced || s.roster == nil || !s.ponged {
		return nil
	}
	s.synced = true
	s.sink.EndSync(presence.Domain(s.bare))
	s.ready()
	s.log.Info("xmpp: synced", "contacts", len(s.roster), "rooms", len(s.rooms))
	return s.syncRich()
}
