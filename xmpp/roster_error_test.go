package xmpp

import (
	"strings"
	"testing"

	"badges/presence"
)

// A roster request answered with an error, or a result without a roster,
// says nothing about who is subscribed: the session fails, to try again
// after a backoff, and the Directory keeps every record, opt-outs included.
func TestRosterErrorKeepsContacts(t *testing.T) {
	for _, tc := range []struct{ name, answer string }{
		// e.g. ejabberd's answer while its database restarts
		{"error", `<iq type='error' id='r1'><error type='wait'><internal-server-error xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></error></iq>`},
		{"result without a query", `<iq type='result' id='r1'/>`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			u := newUnitSession(t)
			const alice = "alice@example.com"
			must(t, u.dir.SyncRoster(map[string]presence.RosterItem{alice: {Subscribed: true}}))
			must(t, u.dir.SetChoice(alice, true, 0)) // "opt out"
			u.rosterID = "r1"
			err := u.receive(t, tc.answer)
			if err == nil || !strings.Contains(err.Error(), "roster") {
				t.Errorf("session goes on after %s; err %v", tc.name, err)
			}
			if rec, ok := stored(t, u.store, alice); !ok || !rec.OptedOut || !rec.Subscribed {
				t.Errorf("stored record of %s after a roster %s: %+v, %v", alice, tc.name, rec, ok)
			}
		})
	}
}
