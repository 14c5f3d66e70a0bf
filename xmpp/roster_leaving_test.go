package xmpp

import (
	"strings"
	"testing"
)

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
