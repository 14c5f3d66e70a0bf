package xmpp

import (
	"slices"
	"sync"
	"testing"

	"badges/internal/testenv"
	"badges/presence"
)

// subscribeLog is a Sink that records which JIDs were made subscribed.
type subscribeLog struct {
	Sink
	mu         sync.Mutex
	subscribed []string
}

func (l *subscribeLog) SetRosterItem(jid string, it presence.RosterItem) error {
	if it.Subscribed {
		l.mu.Lock()
		l.subscribed = append(l.subscribed, jid)
		l.mu.Unlock()
	}
	return l.Sink.SetRosterItem(jid, it)
}

// Against Prosody, which pushes the remaining direction of an unsubscribe
// before the removal the watcher asks for: a user who unsubscribed is
// never made subscribed (visible, stored) again.
func TestUnsubscribeNeverFlapsBack(t *testing.T) {
	p := testenv.StartProsody(t)
	log := &subscribeLog{}
	e := startWith(t, p, Config{}, presence.DirectoryOptions{}, func(s Sink) Sink { log.Sink = s; return log })
	jid, c := e.optIn(t, "", "phone")
	e.awaitStatus(t, jid, presence.Available, "")
	log.mu.Lock()
	log.subscribed = nil
	log.mu.Unlock()

	must(t, c.Subscription(e.bot, "unsubscribe"))
	e.awaitPresence(t, jid, "unknown", func(p presence.Presence) bool { return p.Status == presence.Unknown })
	assertInvisible(t, e, c) // its ping also waits until the watcher handled all c sent
	log.mu.Lock()
	defer log.mu.Unlock()
	if slices.Contains(log.subscribed, jid) {
		t.Errorf("%s made subscribed again after leaving", jid)
	}
}
