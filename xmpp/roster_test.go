package xmpp

import (
	"strings"
	"testing"
)

// The server answers in order: an answer to the sync ping while the roster
// answer has not come means it was lost. The session fails, rather than
// hold every presence for a roster that never comes.
func TestSyncPingBeforeRosterFails(t *testing.T) {
	u := newUnitSession(t)
	u.rosterID = "r1"
	u.syncID, u.pingID = "p1", "p1"
	must(t, u.receive(t, `<presence from='alice@example.com/phone'/>`))
	err := u.receive(t, `<iq type='result' id='p1'/>`)
	if err == nil || !strings.Contains(err.Error(), "roster") {
		t.Errorf("sync ping answered before the roster: err %v, want the session to fail", err)
	}
	if u.synced {
		t.Error("synced without a roster")
	}
}
