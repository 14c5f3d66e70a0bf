package xmpp

import (
	"strings"
	"testing"
)

// A choice the Directory could not keep (it does not hold the user as
// subscribed: the opt-in failed to save) is not acknowledged: the user is
// told it could not be done.
func TestChoiceNotKeptIsNotAcknowledged(t *testing.T) {
	const alice = "alice@example.com"
	u := newUnitSession(t)
	u.roster = map[string]rosterEntry{alice: {sub: "both"}} // the server's view; not in the Directory
	must(t, u.receive(t, `<message from='`+alice+`/phone' type='chat'><body>opt out</body></message>`))
	if out := u.output(); !strings.Contains(out, "could not be saved") || strings.Contains(out, "no longer shown") {
		t.Errorf("reply to an opt-out that was not kept: %q", out)
	}
	if _, ok := stored(t, u.store, alice); ok {
		t.Error("a choice without a subscription was stored")
	}
}
