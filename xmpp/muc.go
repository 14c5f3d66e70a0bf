package xmpp

import "strconv"

// maxNickTries bounds the nick-conflict retries per room: RoomNick,
// RoomNick-2, … RoomNick-5. A room where all are taken is not worth more.
const maxNickTries = 5

// XEP-0045 status codes the watcher reads (section 15.6).
const (
	mucSelf       = "110" // this presence is about the watcher itself
	mucCreated    = "201" // the join created the room
	mucNickChange = "303" // an occupant changes nick; the new one follows
)

// room is a followed multi-user chat room (XEP-0045). The count leaves out
// the watcher itself.
type room struct {
	jid       string
	nick      string // the watcher's nick in it
	tries     int
	joined    bool
	occupants map[string]struct{} // by nick
	count     int                 // last published; -1 before the first
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
			// Kicked, banned, or the room went away: the count is no
			// longer known. The next connection joins again.
			s.log.Warn("xmpp: removed from room", "room", r.jid)
			r.joined = false
			clear(r.occupants)
			s.publishRoom(r)
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
				r.joined = true
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
