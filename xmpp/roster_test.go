package xmpp

import (
	"strings"
	"testing"

	"badges/presence"
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

// After a user unsubscribes, Prosody pushes the remaining direction
// (subscription "to") before the removal the watcher asks for. Neither that
// push nor a reconnect before the removal may make the JID visible again.
func TestUnsubscribeStaysGoneUntilRemoved(t *testing.T) {
	const alice = "alice@example.com"
	u := newUnitSession(t)
	u.rosterID = "r1"
	must(t, u.receive(t, `<iq type='result' id='r1'><query xmlns='jabber:iq:roster'><item jid='`+alice+`' subscription='both'/></query></iq>`))
	if rec, _ := u.dir.Record(alice); !rec.Subscribed {
		t.Fatalf("%s not subscribed after the roster: %+v", alice, rec)
	}

	must(t, u.receive(t, `<presence from='`+alice+`' type='unsubscribe'/>`))
	removal := "<item jid='" + alice + "' subscription='remove'/>"
	if !strings.Contains(u.output(), removal) {
		t.Fatalf("no roster removal sent after unsubscribe; sent %q", u.output())
	}
	invisible := func(when string) {
		t.Helper()
		if _, ok := u.dir.Record(alice); ok {
			t.Errorf("%s: %s is known again", when, alice)
		}
		if _, ok := stored(t, u.store, alice); ok {
			t.Errorf("%s: %s is stored again", when, alice)
		}
	}
	must(t, u.receive(t, `<iq type='set' id='p1'><query xmlns='jabber:iq:roster'><item jid='`+alice+`' subscription='to'/></query></iq>`))
	invisible("after the push of the cancelled direction")

	// The connection drops before the removal: the next session gets a
	// roster that still lists the JID, keeps it invisible, and asks again.
	next := u.reconnect(t)
	next.rosterID = "r2"
	must(t, next.receive(t, `<iq type='result' id='r2'><query xmlns='jabber:iq:roster'><item jid='`+alice+`' subscription='to'/></query></iq>`))
	invisible("after a reconnect before the removal")
	if !strings.Contains(next.output(), removal) {
		t.Errorf("the removal is not asked again after the reconnect; sent %q", next.output())
	}

	// Once the server removes the entry, the JID is no longer leaving: a
	// new subscription counts again.
	must(t, next.receive(t, `<iq type='set' id='p2'><query xmlns='jabber:iq:roster'><item jid='`+alice+`' subscription='remove'/></query></iq>`))
	must(t, next.receive(t, `<iq type='set' id='p3'><query xmlns='jabber:iq:roster'><item jid='`+alice+`' subscription='both'/></query></iq>`))
	if rec, _ := u.dir.Record(alice); !rec.Subscribed {
		t.Errorf("a new subscription after the removal does not count: %+v", rec)
	}
}
