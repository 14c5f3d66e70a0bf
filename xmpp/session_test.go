package xmpp

import (
	"strings"
	"testing"
	"time"

	"badges/internal/testenv"
	"badges/presence"
)

func TestChatCommands(t *testing.T) {
	p := testenv.StartProsody(t)
	e := start(t, p, Config{}, presence.DirectoryOptions{})
	jid, c := e.optIn(t, "", "phone")
	must(t, c.SetPresence("away", "Secret plans", 0))
	e.awaitStatus(t, jid, presence.Away, "Secret plans")

	say := func(body, replyHas string) {
		t.Helper()
		must(t, c.Say(e.bot, body))
		c.Await(wait, "reply to "+body, func(s testenv.Stanza) bool {
			return s.Kind == "message" && strings.HasPrefix(s.From, e.bot) && strings.Contains(s.Body, replyHas)
		})
	}
	say("help", "Commands:")
	say("  Hide   Message ", "no longer shown")
	e.awaitStatus(t, jid, presence.Away, "")
	say("opt out", "no longer shown")
	e.awaitPresence(t, jid, "unknown", func(p presence.Presence) bool { return p.Status == presence.Unknown })
	say("opt in", "shown again")
	e.awaitStatus(t, jid, presence.Away, "")
	say("show message", "shown again")
	e.awaitStatus(t, jid, presence.Away, "Secret plans")
	if rec, _ := stored(t, e.store, jid); rec.OptedOut || rec.HideMessage {
		t.Errorf("stored choices %+v, want none", rec)
	}
	say("what?", "Unknown command")

	// Someone who does not share presence cannot make choices.
	other := p.Connect(newUser(t, p, ""), password, "phone")
	must(t, other.Say(e.bot, "opt out"))
	other.Await(wait, "refusal", func(s testenv.Stanza) bool {
		return s.Kind == "message" && strings.Contains(s.Body, "not shared")
	})
}

func TestAnswersRequests(t *testing.T) {
	p := testenv.StartProsody(t)
	e := start(t, p, Config{}, presence.DirectoryOptions{})
	e.awaitConnected(t, true)
	bot := e.bot + "/" + DefaultResource
	c := p.Connect(newUser(t, p, ""), password, "phone")
	if got := c.Ping(bot, wait); got.Type != "result" {
		t.Errorf("ping answered with %+v", got)
	}
	ask := func(id, payload, wantType string) {
		t.Helper()
		must(t, c.SendRaw("<iq type='get' id='"+id+"' to='"+bot+"'>"+payload+"</iq>"))
		got := c.Await(wait, "answer to "+id, func(s testenv.Stanza) bool { return s.Kind == "iq" && s.ID == id })
		if got.Type != wantType {
			t.Errorf("%s: answered %q, want %q", id, got.Type, wantType)
		}
	}
	ask("unknown", "<query xmlns='urn:example:unknown'/>", "error")
	ask("disco", "<query xmlns='"+nsDiscoInfo+"'/>", "result")
	// A roster push from anyone but the account itself is refused and
	// changes nothing.
	forged := newUser(t, p, "")
	must(t, c.SendRaw("<iq type='set' id='forged' to='"+bot+"'><query xmlns='jabber:iq:roster'><item jid='"+
		forged+"' subscription='both'/></query></iq>"))
	if got := c.Await(wait, "answer to forged push", func(s testenv.Stanza) bool { return s.ID == "forged" }); got.Type != "error" {
		t.Errorf("forged roster push answered %q", got.Type)
	}
	if _, ok := e.dir.Record(forged); ok {
		t.Error("a forged roster push made a JID known")
	}
}

func TestWatchAsksForSubscription(t *testing.T) {
	p := testenv.StartProsody(t)
	jid := newUser(t, p, "")
	c := p.Connect(jid, password, "phone")
	e := start(t, p, Config{Policy: PolicyClosed, Watch: []string{jid}}, presence.DirectoryOptions{})
	c.AwaitPresence(wait, e.bot, "subscribe")
	must(t, c.Subscription(e.bot, "subscribed"))
	must(t, c.SetPresence("chat", "Watched", 0))
	e.awaitStatus(t, jid, presence.Chat, "Watched")
	// Under the closed policy a watched JID may still subscribe back.
	must(t, c.Subscription(e.bot, "subscribe"))
	c.AwaitPresence(wait, e.bot, "subscribed")
}

func TestShutdownIsPromptAndPolite(t *testing.T) {
	p := testenv.StartProsody(t)
	e := start(t, p, Config{}, presence.DirectoryOptions{})
	_, c := e.optIn(t, "", "phone")
	began := time.Now()
	e.stop(t)
	c.AwaitPresence(wait, e.bot, "unavailable")
	if e.w.Connected() {
		t.Error("Connected() after Run returned")
	}
	t.Logf("Run returned %v after cancel", time.Since(began))
}
