package xmpp

import (
	"slices"
	"testing"

	"badges/internal/testenv"
	"badges/presence"
)

func TestOptInFollowsEveryStatus(t *testing.T) {
	p := testenv.StartProsody(t)
	e := start(t, p, Config{}, presence.DirectoryOptions{})
	e.awaitConnected(t, true)
	jid, c := e.optIn(t, "", "phone")
	e.awaitStatus(t, jid, presence.Available, "")
	steps := []struct {
		show, text string
		want       presence.Status
	}{
		{"away", "At lunch", presence.Away},
		{"xa", "On holiday", presence.XA},
		{"dnd", "In a meeting", presence.DND},
		{"chat", "Ask me", presence.Chat},
		{"", "Back", presence.Available},
	}
	for _, s := range steps {
		if err := c.SetPresence(s.show, s.text, 0); err != nil {
			t.Fatal(err)
		}
		got := e.awaitStatus(t, jid, s.want, s.text)
		if got.Sources[presence.SourceXMPP] != s.want {
			t.Errorf("sources = %v, want xmpp %s", got.Sources, s.want)
		}
	}
	if got := e.hub.Get(presence.JIDTopic(jid)).Presence; !got.LastSeen.IsZero() {
		t.Errorf("last_seen %v before going offline", got.LastSeen)
	}
	if err := c.Unavailable(); err != nil {
		t.Fatal(err)
	}
	off := e.awaitStatus(t, jid, presence.Offline, "")
	if off.LastSeen.IsZero() {
		t.Fatal("offline without last_seen")
	}
	if rec, ok := stored(t, e.store, jid); !ok || !rec.Subscribed || rec.LastSeen.IsZero() {
		t.Errorf("stored record = %+v, %v; want subscribed with last_seen", rec, ok)
	}
	// The directory publishes through the Hub interface alone: the
	// recording hub saw every step, in order, from the offline of a
	// contact just made.
	want := []presence.Status{presence.Offline, presence.Available}
	for _, s := range steps {
		want = append(want, s.want)
	}
	want = append(want, presence.Offline)
	var got []presence.Status
	for _, en := range e.hub.Published(presence.JIDTopic(jid)) {
		if st := en.Presence.Status; st != presence.Unknown && (len(got) == 0 || got[len(got)-1] != st) {
			got = append(got, st)
		}
	}
	if !slices.Equal(got, want) {
		t.Errorf("published statuses = %v, want %v", got, want)
	}
}

func TestHighestPriorityResourceWins(t *testing.T) {
	p := testenv.StartProsody(t)
	e := start(t, p, Config{}, presence.DirectoryOptions{})
	jid, phone := e.optIn(t, "", "phone")
	desk := p.Connect(jid, password, "desk")
	must(t, phone.SetPresence("dnd", "Busy", 10))
	must(t, desk.SetPresence("", "Around", 5))
	e.awaitStatus(t, jid, presence.DND, "Busy")
	// The desk changes, but the phone still has the higher priority.
	must(t, desk.SetPresence("away", "Later", 5))
	must(t, phone.SetPresence("xa", "Gone", 1))
	e.awaitStatus(t, jid, presence.Away, "Later")
	must(t, desk.Unavailable())
	e.awaitStatus(t, jid, presence.XA, "Gone")
	must(t, phone.Unavailable())
	e.awaitStatus(t, jid, presence.Offline, "")
}

func TestClosedPolicyRefuses(t *testing.T) {
	p := testenv.StartProsody(t)
	e := start(t, p, Config{Policy: PolicyClosed}, presence.DirectoryOptions{})
	e.awaitConnected(t, true)
	jid := newUser(t, p, "")
	c := p.Connect(jid, password, "phone")
	must(t, c.Subscription(e.bot, "subscribe"))
	c.AwaitPresence(wait, e.bot, "unsubscribed")
	// Even a user who pre-approves the bot stays invisible: the bot never
	// asked.
	must(t, c.Subscription(e.bot, "subscribed"))
	must(t, c.SetPresence("dnd", "Hidden", 0))
	assertInvisible(t, e, c)
}

func TestDomainsPolicy(t *testing.T) {
	p := testenv.StartProsody(t)
	e := start(t, p, Config{Policy: PolicyDomains, AllowDomains: []string{p.OtherDomain}}, presence.DirectoryOptions{})
	e.awaitConnected(t, true)
	allowed, c := e.optIn(t, p.OtherDomain, "phone")
	must(t, c.SetPresence("away", "Allowed", 0))
	e.awaitStatus(t, allowed, presence.Away, "Allowed")

	refused := newUser(t, p, p.Domain)
	r := p.Connect(refused, password, "phone")
	must(t, r.Subscription(e.bot, "subscribe"))
	r.AwaitPresence(wait, e.bot, "unsubscribed")
	assertInvisible(t, e, r)
}

func TestUnsubscribeForgets(t *testing.T) {
	for _, tc := range []struct {
		name  string
		leave func(c *testenv.Client, bot string) error
	}{
		{"cancel subscription", func(c *testenv.Client, bot string) error { return c.Subscription(bot, "unsubscribed") }},
		{"unsubscribe", func(c *testenv.Client, bot string) error { return c.Subscription(bot, "unsubscribe") }},
		{"remove contact", func(c *testenv.Client, bot string) error { return c.RemoveContact(bot) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := testenv.StartProsody(t)
			e := start(t, p, Config{}, presence.DirectoryOptions{})
			jid, c := e.optIn(t, "", "phone")
			must(t, c.SetPresence("dnd", "Working", 0))
			e.awaitStatus(t, jid, presence.DND, "Working")
			must(t, c.Unavailable()) // leaves a last_seen to delete
			e.awaitStatus(t, jid, presence.Offline, "")
			must(t, c.SetPresence("", "Leaving", 0))
			e.awaitStatus(t, jid, presence.Available, "Leaving")
			must(t, tc.leave(c, e.bot))
			e.awaitPresence(t, jid, "unknown", func(p presence.Presence) bool { return p.Status == presence.Unknown })
			assertInvisible(t, e, c)
		})
	}
}

// assertInvisible checks that nothing is known or stored of c's JID, once
// the watcher has handled everything c sent.
func assertInvisible(t *testing.T, e *env, c *testenv.Client) {
	t.Helper()
	c.Ping(e.bot+"/"+DefaultResource, wait)
	jid := c.JID
	if got := e.hub.Get(presence.JIDTopic(jid)).Presence; got.Status != presence.Unknown || got.Message != "" {
		t.Errorf("directory shows %+v, want unknown", got)
	}
	if rec, ok := e.dir.Record(jid); ok {
		t.Errorf("directory keeps %+v", rec)
	}
	if rec, ok := stored(t, e.store, jid); ok {
		t.Errorf("store keeps %+v", rec)
	}
}

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
