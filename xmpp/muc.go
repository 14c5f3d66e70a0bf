package xmpp

import (
	"strconv"
	"time"
)

// maxNickTries bounds the nick-conflict retries per room: RoomNick,
// RoomNick-2, … RoomNick-5. A room where all are taken is not worth more.
const maxNickTries = 5

// XEP-0045 status codes the watcher reads (section 15.6).
const (
	mucSelf       = "110" // this presence is about the watcher itself
	mucCreated    = "201" // the join created the room
	mucNickChange = "303" // an occupant changes nick; the new one follows
	mucBanned     = "301" // the watcher was banned: it must not come back
)

// stableJoin is how long the watcher must have stayed in a room for a
// removal to start the rejoin backoff over: a moderator who kicks it at
// every join is then met with ever longer waits, up to BackoffCap.
const stableJoin = time.Minute

// room is a followed multi-user chat room (XEP-0045). The count leaves out
// the watcher itself.
type room struct {
	jid       string
	nick      string // the watcher's nick in it
	tries     int
	joined    bool
	joinedAt  time.Time
	occupants map[string]struct{} // by nick
	count     int                 // last published; -1 before the first

	// Rejoining after a removal: at most one timer, owned by the session,
	// which stops it when it ends (stopRooms).
	rejoinBo backoff
	rejoinT  *time.Timer
}

// roomPresence follows the occupants of r. The room sends every present
// occupant before the watcher's own presence (XEP-0045 7.2.3), so the count
// is published once the join completes and on every change after.
func (s *session) roomPresence(r *room, nick string, st *stanza) error {
	own := st.MUC.hasStatus(mucSelf) || (nick != "" && nick == r.nick)
	switch st.Type {
	case "error":
		if !own && nick != "" {
			return nil
		}
		cond := st.Error.condition()
		if cond == "conflict" && r.tries < maxNickTries-1 {
			r.tries++
			r.nick = s.cfg.RoomNick + "-" + strconv.Itoa(r.tries+1)
			s.log.Info("xmpp: room nick taken, trying another", "room", r.jid, "nick", r.nick)
			return s.send(mucJoin(r.jid, r.nick))
		}
		s.log.Warn("xmpp: cannot join room", "room", r.jid, "nick", r.nick, "condition", cond)
		return nil
	case "unavailable":
		if own {
			// Kicked (307), the room destroyed or its service shut down
			// (332): the count is no longer known; the watcher joins
			// again after a backoff. A ban (301) is respected until the
			// next connection.
			r.joined = false
			clear(r.occupants)
			s.publishRoom(r)
			if st.MUC.hasStatus(mucBanned) {
				s.log.Warn("xmpp: banned from room", "room", r.jid)
				return nil
			}
			s.scheduleRejoin(r)
			return nil
		}
		delete(r.occupants, nick)
		if st.MUC.hasStatus(mucNickChange) {
			return nil // the presence under the new nick follows at once
		}
	case "":
		if own {
			r.nick = nick // the room may have changed it (status 210)
			if !r.joined {
				r.joined, r.joinedAt = true, time.Now()
				s.log.Info("xmpp: joined room", "room", r.jid, "nick", nick, "occupants", len(r.occupants))
				if st.MUC.hasStatus(mucCreated) {
					// A room the watcher created stays locked to others
					// until configured; accept the defaults.
					if err := s.send(mucInstant(s.ids.next(), r.jid)); err != nil {
						return err
					}
				}
			}
		} else if nick != "" {
			r.occupants[nick] = struct{}{}
		}
	default:
		return nil
	}
	if r.joined {
		s.publishRoom(r)
	}
	return nil
}

func (s *session) publishRoom(r *room) {
	if n := len(r.occupants); n != r.count {
		r.count = n
		s.sink.SetRoom(r.jid, n)
	}
}

// scheduleRejoin arms the rejoin timer of r. Its function only hands the
// room to the session's loop (run), which sends the join.
func (s *session) scheduleRejoin(r *room) {
	if r.rejoinT != nil {
		return
	}
	if !r.joinedAt.IsZero() && time.Since(r.joinedAt) >= stableJoin {
		r.rejoinBo.reset()
	}
	d := r.rejoinBo.next()
	s.log.Warn("xmpp: removed from room", "room", r.jid, "rejoin_in", d.Round(time.Millisecond))
	jid := r.jid
	r.rejoinT = time.AfterFunc(d, func() {
		select {
		case s.rejoin <- jid:
		case <-s.done:
		}
	})
}

// rejoinRoom joins a room again once its rejoin timer fired, starting
// over with the configured nick.
func (s *session) rejoinRoom(jid string) error {
	r := s.rooms[jid]
	if r == nil {
		return nil
	}
	r.rejoinT = nil
	if r.joined {
		return nil
	}
	r.tries, r.nick = 0, s.cfg.RoomNick
	return s.send(mucJoin(r.jid, r.nick))
}

// stopRooms stops the rejoin timers; a timer that already fired finds done
// closed and gives up.
func (s *session) stopRooms() {
	for _, r := range s.rooms {
		if r.rejoinT != nil {
			r.rejoinT.Stop()
			r.rejoinT = nil
		}
	}
	close(s.done)
}
