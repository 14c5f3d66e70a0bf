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

// message=tune shows what is playing, on the badge and in shields' JSON,
// and the badge word when nothing is, or when the user hides the tune.
func TestBadgeMessageTune(t *testing.T) {
	f := newFixture(t, Options{})
	const jid = "alice@example.com"
	f.online(t, jid, presence.Available, "")
	if _, b := f.do(t, "GET", "/badge/"+jid+".svg?message=tune", nil); !strings.Contains(b, `aria-label="`+jid+`: online"`) {
		t.Errorf("nothing playing: %s", b)
	}
	f.dir.SetProfile(jid, presence.Profile{Tune: &presence.Tune{Artist: "Yes", Title: "Roundabout"}})
	if _, b := f.do(t, "GET", "/badge/"+jid+".svg?message=tune", nil); !strings.Contains(b, `aria-label="`+jid+`: Yes – Roundabout"`) {
		t.Errorf("playing: %s", b)
	}
	if _, b := f.do(t, "GET", "/shields/"+jid+".json?message=tune", nil); !strings.Contains(b, `"message":"Yes – Roundabout"`) {
		t.Errorf("shields: %s", b)
	}
	mustNil(t, f.dir.SetChoice(jid, false, presence.FieldSet(presence.FieldTune)))
	if _, b := f.do(t, "GET", "/badge/"+jid+".svg?message=tune", nil); !strings.Contains(b, `aria-label="`+jid+`: online"`) {
		t.Errorf("hidden tune: %s", b)
	}
}
