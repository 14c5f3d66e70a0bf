package web

import (
	"strings"
	"testing"
	"time"

	"badges/presence"
)

// message=seen says when an offline JID was last seen, counted at answer
// time, and the badge word otherwise.
func TestBadgeMessageSeen(t *testing.T) {
	clock := time.Now()
	f := newFixture(t, Options{Now: func() time.Time { return clock }})
	const jid = "alice@example.com"
	badge := func() string {
		t.Helper()
		_, body := f.do(t, "GET", "/badge/"+jid+".svg?message=seen", nil)
		return body
	}
	if b := badge(); !strings.Contains(b, `aria-label="`+jid+`: unknown"`) {
		t.Errorf("unknown JID: %s", b)
	}
	f.online(t, jid, presence.Available, "")
	if b := badge(); !strings.Contains(b, `aria-label="`+jid+`: online"`) {
		t.Errorf("online: %s", b)
	}
	f.offline(t, jid, "phone")
	clock = time.Now().Add(3*time.Hour + time.Minute)
	if b := badge(); !strings.Contains(b, `aria-label="`+jid+`: last seen 3h ago"`) {
		t.Errorf("offline: %s", b)
	}
	clock = clock.Add(24 * time.Hour)
	if b := badge(); !strings.Contains(b, `aria-label="`+jid+`: last seen 1d ago"`) {
		t.Errorf("a day later: %s", b)
	}
}
