package xmpp

import (
	"testing"
	"time"

	"badges/internal/testenv"
	"badges/presence"
)

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
