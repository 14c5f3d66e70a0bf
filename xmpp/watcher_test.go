package xmpp

import (
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
	if got := e.dir.Get(jid); !got.LastSeen.IsZero() {
		t.Errorf("last_seen %v before going offline", got.LastSeen)
	}
	if err := c.Unavailable(); err != nil {
		t.Fatal(err)
	}
	off := e.awaitStatus(t, jid, presence.Offline, "")
	if off.LastSeen.IsZero() {
		t.Fatal("offline without last_seen")
	}
	if rec, ok := e.store.get(jid); !ok || !rec.Subscribed || rec.LastSeen.IsZero() {
		t.Errorf("stored record = %+v, %v; want subscribed with last_seen", rec, ok)
	}
}
