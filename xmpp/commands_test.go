package xmpp

import (
	"strings"
	"testing"

	"badges/presence"
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

// hide F, show F and privacy, against the Directory: each choice is
// stored and told back; an unknown field changes nothing.
func TestFieldCommands(t *testing.T) {
	const alice = "alice@example.com"
	u := newUnitSession(t)
	u.roster = map[string]rosterEntry{alice: {sub: "both"}}
	must(t, u.dir.SetRosterItem(alice, presence.RosterItem{Subscribed: true}))
	say := func(body string) string {
		t.Helper()
		before := len(u.output())
		must(t, u.receive(t, `<message from='`+alice+`/phone' type='chat'><body>`+body+`</body></message>`))
		return u.output()[before:]
	}
	hidden := func() presence.FieldSet {
		t.Helper()
		rec, _ := stored(t, u.store, alice)
		return rec.HiddenFields()
	}
	if out := say("hide tune"); !strings.Contains(out, "Hidden: tune.") || hidden() != presence.FieldSet(presence.FieldTune) {
		t.Errorf("hide tune: %q, hidden %v", out, hidden())
	}
	if out := say("Hide  Message"); !strings.Contains(out, "status text is no longer shown") ||
		hidden() != presence.FieldSet(presence.FieldTune|presence.FieldMessage) {
		t.Errorf("hide message: %q, hidden %v", out, hidden())
	}
	if out := say("privacy"); !strings.Contains(out, "Hidden by you: message, tune.") ||
		!strings.Contains(out, "Shown: your status, last seen, name, avatar, mood, activity, devices, idle.") {
		t.Errorf("privacy: %q", out)
	}
	if out := say("hide colour"); !strings.Contains(out, "Send hide with one of: message name avatar") ||
		hidden() != presence.FieldSet(presence.FieldTune|presence.FieldMessage) {
		t.Errorf("hide colour: %q, hidden %v", out, hidden())
	}
	if out := say("show all"); !strings.Contains(out, "Shown again: all.") || hidden() != 0 {
		t.Errorf("show all: %q, hidden %v", out, hidden())
	}
}
