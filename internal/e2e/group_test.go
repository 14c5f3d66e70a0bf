package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"badges/internal/testenv"
	"badges/presence"
)

// TestGroupFollowsRoster: a roster group of the watcher, set in Prosody,
// counts its visible members and those online, and follows joins, leaves
// and a member who opts out, in its JSON and its badge.
func TestGroupFollowsRoster(t *testing.T) {
	p := testenv.StartProsody(t)
	const pw = "e2e-password"
	bot := p.Register("badges", pw)
	alice := p.Register("alice", pw)
	bob := p.Register("bob", pw)
	srv := start(t, t.TempDir(), "-xmpp-jid", bot, "-xmpp-password", pw, "-xmpp-server", p.Addr, "-xmpp-tls", "none")
	srv.awaitReady(t, http.StatusOK)
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
	defer cancel()

	// The operator files contacts into a group from another session of the
	// watcher's account; the server pushes the change to the watcher.
	admin := p.Connect(bot, pw, "admin")
	file := func(jid string) {
		t.Helper()
		if err := admin.SendRaw(`<iq type='set' id='g-` + jid + `'><query xmlns='jabber:iq:roster'><item jid='` + jid +
			`'><group>team</group></item></query></iq>`); err != nil {
			t.Fatal(err)
		}
	}
	awaitGroup := func(online, total int) {
		t.Helper()
		want := groupCount{Group: "team", Online: online, Total: total}
		var got groupCount
		for ctx.Err() == nil {
			code, body := srv.do("GET", "/api/v1/groups/team", "", nil)
			if code == http.StatusOK && json.Unmarshal([]byte(body), &got) == nil && got == want {
				_, badge := srv.do("GET", "/group/team.svg", "", nil)
				if w := fmt.Sprintf(`aria-label="team: %d/%d online"`, online, total); !strings.Contains(badge, w) {
					t.Errorf("badge lacks %s: %s", w, badge)
				}
				return
			}
			time.Sleep(50 * time.Millisecond)
		}
		t.Fatalf("group: %+v, want %+v", got, want)
	}

	a := p.Connect(alice, pw, "phone")
	optIn(t, a, bot)
	await(ctx, t, srv, alice, func(pr presence.Presence) bool { return pr.Status == presence.Available })
	awaitGroup(0, 0)
	file(alice)
	awaitGroup(1, 1)

	b := p.Connect(bob, pw, "pc")
	optIn(t, b, bot)
	file(bob)
	awaitGroup(2, 2) // bob joins

	if err := b.Unavailable(); err != nil { // bob leaves
		t.Fatal(err)
	}
	awaitGroup(1, 2)

	if err := a.Say(bot, "opt out"); err != nil { // alice hides
		t.Fatal(err)
	}
	awaitGroup(0, 1)
}

type groupCount struct {
	Group  string `json:"group"`
	Online int    `json:"online"`
	Total  int    `json:"total"`
}
