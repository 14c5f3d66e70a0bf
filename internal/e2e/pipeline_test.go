package e2e

import (
	"context"
	"net/http"
	"testing"
	"time"

	"badges/internal/testenv"
	"badges/presence"
)

// changeWait bounds how long one presence change may take to reach the
// API. It is a deadline for the test, not a performance claim: the delay is
// measured by bench/ (see docs/PERFORMANCE.md).
const changeWait = 10 * time.Second

// TestPipeline follows a user through the real binary and a real Prosody:
// opt-in by subscription, every show and status change, an outage of the
// XMPP server (readiness drops, statuses turn unknown once stale, all is
// right again after the reconnect), going offline, and last_seen kept
// across a restart of badges.
func TestPipeline(t *testing.T) {
	p := testenv.StartProsody(t)
	const pw = "e2e-password"
	bot := p.Register("badges", pw)
	alice := p.Register("alice", pw)
	data := t.TempDir()
	args := []string{"-xmpp-jid", bot, "-xmpp-password", pw, "-xmpp-server", p.Addr,
		"-xmpp-tls", "none", "-stale-after", "1s"}
	srv := start(t, data, args...)
	srv.awaitReady(t, http.StatusOK)

	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
	defer cancel()
	if got := srv.get(alice); got.Status != presence.Unknown {
		t.Fatalf("before opt-in: %+v, want unknown", got)
	}
	c := p.Connect(alice, pw, "phone")
	optIn(t, c, bot)
	srv.await(ctx, alice, func(pr presence.Presence) bool { return pr.Status == presence.Available })

	for _, tc := range []struct {
		show, status string
		want         presence.Status
	}{
		{"dnd", "In a meeting", presence.DND},
		{"away", "Lunch", presence.Away},
		{"xa", "", presence.XA},
		{"chat", "Ask me", presence.Chat},
		{"", "Back", presence.Available},
	} {
		if err := c.SetPresence(tc.show, tc.status, 0); err != nil {
			t.Fatal(err)
		}
		got := await(ctx, t, srv, alice, func(pr presence.Presence) bool {
			return pr.Status == tc.want && pr.Message == tc.status
		})
		if got.Sources[presence.SourceXMPP] != tc.want || got.Status.State() != tc.want.State() {
			t.Errorf("show %q: %+v", tc.show, got)
		}
	}

	// Outage: not ready at once, unknown once stale, right again after.
	p.Kill()
	srv.awaitReady(t, http.StatusServiceUnavailable)
	await(ctx, t, srv, alice, func(pr presence.Presence) bool { return pr.Status == presence.Unknown })
	p.Start()
	c = p.Connect(alice, pw, "laptop")
	if err := c.SetPresence("dnd", "Back after the outage", 0); err != nil {
		t.Fatal(err)
	}
	await(ctx, t, srv, alice, func(pr presence.Presence) bool {
		return pr.Status == presence.DND && pr.Message == "Back after the outage"
	})
	srv.awaitReady(t, http.StatusOK)

	// Offline sets last_seen, which survives a restart of badges.
	if err := c.Unavailable(); err != nil {
		t.Fatal(err)
	}
	off := await(ctx, t, srv, alice, func(pr presence.Presence) bool { return pr.Status == presence.Offline })
	if off.LastSeen.IsZero() {
		t.Fatalf("offline without last_seen: %+v", off)
	}
	srv.kill()
	srv = start(t, data, args...)
	if got := srv.get(alice); !got.LastSeen.Equal(off.LastSeen) {
		t.Errorf("after restart last_seen = %v, want %v", got.LastSeen, off.LastSeen)
	}
}

// optIn has the user subscribe to the watcher and approve its request back,
// as a person does in their client.
func optIn(t *testing.T, c *testenv.Client, bot string) {
	t.Helper()
	if err := c.Subscription(bot, "subscribe"); err != nil {
		t.Fatal(err)
	}
	c.AwaitPresence(changeWait, bot, "subscribe")
	if err := c.Subscription(bot, "subscribed"); err != nil {
		t.Fatal(err)
	}
}

// await is proc.await bounded by changeWait on top of ctx.
func await(ctx context.Context, t *testing.T, p *proc, jid string, ok func(presence.Presence) bool) presence.Presence {
	t.Helper()
	ctx, cancel := context.WithTimeout(ctx, changeWait)
	defer cancel()
	return p.await(ctx, jid, ok)
}

// awaitReady polls /readyz until it answers code.
func (p *proc) awaitReady(t *testing.T, code int) {
	t.Helper()
	deadline := time.Now().Add(changeWait)
	for {
		got, body := p.do("GET", "/readyz", "", nil)
		if got == code {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("readyz = %d %s, want %d", got, body, code)
		}
		time.Sleep(pollEvery) // poll interval of a condition with no event to wait on
	}
}
