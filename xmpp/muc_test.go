package xmpp

import (
	"testing"
	"time"

	"badges/internal/testenv"
	"badges/presence"
)

func TestRoomOccupantsFollowJoinsAndLeaves(t *testing.T) {
	p := testenv.StartProsody(t)
	taken := "lobby@" + p.MUCDomain // someone holds the watcher's nick there
	fresh := "new@" + p.MUCDomain   // does not exist until the watcher joins

	// A user creates the first room under the watcher's nick and unlocks it.
	u1 := p.Connect(newUser(t, p, ""), password, "phone")
	must(t, u1.JoinRoom(taken, DefaultRoomNick))
	u1.AwaitPresence(wait, taken+"/"+DefaultRoomNick, "")
	must(t, u1.SendRaw("<iq type='set' id='cfg' to='"+taken+"'><query xmlns='"+nsMUCOwner+
		"'><x xmlns='"+nsData+"' type='submit'/></query></iq>"))
	u1.Await(wait, "room configured", func(s testenv.Stanza) bool { return s.Kind == "iq" && s.ID == "cfg" })

	e := start(t, p, Config{Rooms: []string{taken, fresh}}, presence.DirectoryOptions{})
	e.awaitConnected(t, true)
	e.awaitRoom(t, taken, 1) // u1, not the watcher (joined as badges-2)
	e.awaitRoom(t, fresh, 0)

	u2 := p.Connect(newUser(t, p, ""), password, "desk")
	must(t, u2.JoinRoom(taken, "two"))
	e.awaitRoom(t, taken, 2)
	// The watcher created the second room and must have unlocked it.
	must(t, u2.JoinRoom(fresh, "two"))
	e.awaitRoom(t, fresh, 1)

	must(t, u1.LeaveRoom(taken, DefaultRoomNick))
	e.awaitRoom(t, taken, 1)
	must(t, u2.LeaveRoom(taken, "two"))
	e.awaitRoom(t, taken, 0)
	// Occupants leave by disconnecting, too.
	u2.Close()
	e.awaitRoom(t, fresh, 0)

	// Room presence never counts as a user's presence.
	if got := e.hub.Get(presence.JIDTopic(taken)).Presence; got.Status != presence.Unknown {
		t.Errorf("room JID has presence %+v", got)
	}
}

// A watcher kicked from a room joins it again after a backoff, on the same
// connection, and counts its occupants again.
func TestRoomRejoinAfterKick(t *testing.T) {
	p := testenv.StartProsody(t)
	room := "lobby@" + p.MUCDomain
	owner := p.Connect(newUser(t, p, ""), password, "phone")
	must(t, owner.JoinRoom(room, "owner"))
	owner.AwaitPresence(wait, room+"/owner", "")
	must(t, owner.SendRaw("<iq type='set' id='cfg' to='"+room+"'><query xmlns='"+nsMUCOwner+
		"'><x xmlns='"+nsData+"' type='submit'/></query></iq>"))
	owner.Await(wait, "room configured", func(s testenv.Stanza) bool { return s.Kind == "iq" && s.ID == "cfg" })

	e := start(t, p, Config{Rooms: []string{room}}, presence.DirectoryOptions{})
	e.awaitConnected(t, true)
	e.awaitRoom(t, room, 1)
	must(t, owner.SendRaw("<iq type='set' id='kick' to='"+room+"'><query xmlns='http://jabber.org/protocol/muc#admin'><item nick='"+
		DefaultRoomNick+"' role='none'/></query></iq>"))
	owner.Await(wait, "kicked", func(s testenv.Stanza) bool { return s.Kind == "iq" && s.ID == "kick" })
	e.awaitRoom(t, room, 0)

	u2 := p.Connect(newUser(t, p, ""), password, "desk")
	must(t, u2.JoinRoom(room, "two"))
	e.awaitRoom(t, room, 2)
}

// A ban is respected: no rejoin is scheduled. A kick, or the room's service
// shutting down, schedules one; the session's end stops it.
func TestRoomRejoinUnlessBanned(t *testing.T) {
	const jid = "lobby@rooms.example.com"
	for _, tc := range []struct {
		name, status string
		rejoin       bool
	}{
		{"kicked", "307", true},
		{"service shut down", "332", true},
		{"banned", "301", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			u := newUnitSession(t)
			r := &room{jid: jid, nick: DefaultRoomNick, joined: true, joinedAt: time.Now(), count: 1,
				occupants: map[string]struct{}{"alice": {}}, rejoinBo: backoff{base: time.Hour, cap: time.Hour}}
			u.rooms[jid] = r
			must(t, u.receive(t, `<presence from='`+jid+`/`+DefaultRoomNick+`' type='unavailable'><x xmlns='http://jabber.org/protocol/muc#user'><status code='110'/><status code='`+tc.status+`'/></x></presence>`))
			if r.joined || len(r.occupants) != 0 {
				t.Errorf("still counted as joined: %+v", r)
			}
			if got := r.rejoinT != nil; got != tc.rejoin {
				t.Errorf("rejoin scheduled: %v, want %v", got, tc.rejoin)
			}
		})
	}
}

// A room count goes stale with the statuses: with the server down longer
// than StaleAfter, the room shows no occupants instead of its last count.
func TestRoomCountGoesStale(t *testing.T) {
	p := testenv.StartProsody(t)
	room := "lobby@" + p.MUCDomain
	e := start(t, p, Config{Rooms: []string{room}}, presence.DirectoryOptions{StaleAfter: 200 * time.Millisecond})
	e.awaitConnected(t, true)
	u := p.Connect(newUser(t, p, ""), password, "desk")
	must(t, u.JoinRoom(room, "two"))
	e.awaitRoom(t, room, 1)

	p.Kill()
	e.awaitDisconnect(t)
	e.awaitRoom(t, room, 0)
	if st := e.dir.Stats(); !st.Stale {
		t.Errorf("room count reset before staleness: %+v", st)
	}
}
