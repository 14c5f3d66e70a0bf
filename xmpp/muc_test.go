package xmpp

import (
	"testing"

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
