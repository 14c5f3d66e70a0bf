package xmpp

import (
	"strconv"
	"testing"
)

// Stanzas held back for the roster are bounded: past maxHeld the session
// fails instead of growing.
func TestHeldStanzasAreBounded(t *testing.T) {
	u := newUnitSession(t)
	u.rosterID = "r1"
	for i := 0; i < maxHeld; i++ {
		must(t, u.receive(t, `<presence from='u`+strconv.Itoa(i)+`@example.com/phone'/>`))
	}
	if err := u.receive(t, `<presence from='late@example.com/phone'/>`); err == nil {
		t.Errorf("%d stanzas held without a roster, and the session goes on", len(u.held)+1)
	}
	if len(u.held) > maxHeld {
		t.Errorf("%d stanzas held, cap %d", len(u.held), maxHeld)
	}
}
