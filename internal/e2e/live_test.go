package e2e

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/coder/websocket"

	"badges/internal/testenv"
)

// xmppServer starts Prosody and badges watching it, with alice opted in.
func xmppServer(t *testing.T) (p *testenv.Prosody, srv *proc, alice string, c *testenv.Client) {
	t.Helper()
	p = testenv.StartProsody(t)
	const pw = "e2e-password"
	bot := p.Register("badges", pw)
	alice = p.Register("alice", pw)
	srv = start(t, t.TempDir(), "-xmpp-jid", bot, "-xmpp-password", pw, "-xmpp-server", p.Addr, "-xmpp-tls", "none")
	srv.awaitReady(t, http.StatusOK)
	c = p.Connect(alice, pw, "phone")
	optIn(t, c, bot)
	return p, srv, alice, c
}

// TestLiveFromProsody: the embed page, and the web component on a page of
// another origin, follow a change made in the user's XMPP client, without
// a reload.
func TestLiveFromProsody(t *testing.T) {
	_, srv, alice, c := xmppServer(t)
	tab := testenv.Chromium(t)
	ctx, cancel := context.WithTimeout(tab, time.Minute)
	defer cancel()

	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html;charset=utf-8")
		fmt.Fprintf(w, `<!DOCTYPE html><title>elsewhere</title><script src="%s/widget.js" async></script>
<iframe id="embed" src="%s/embed/%s"></iframe><xmpp-presence jid="%s"></xmpp-presence>`, srv.base, srv.base, alice, alice)
	}))
	defer other.Close()
	const widget = `(document.querySelector('xmpp-presence')?.shadowRoot?.querySelector('.word')?.textContent ?? '')`

	if err := chromedp.Do(ctx, chromedp.Navigate(srv.base+"/embed/"+alice)); err != nil {
		t.Fatal(err)
	}
	browserAwait(t, ctx, `document.querySelector('.word').textContent === 'online'`)
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`window.notReloaded = true`)); err != nil {
		t.Fatal(err)
	}
	if err := c.SetPresence("dnd", "In a meeting", 0); err != nil {
		t.Fatal(err)
	}
	browserAwait(t, ctx, `document.querySelector('.word').textContent === 'do not disturb' && window.notReloaded === true`)

	if err := chromedp.Do(ctx, chromedp.Navigate(other.URL)); err != nil {
		t.Fatal(err)
	}
	browserAwait(t, ctx, widget+` === 'do not disturb'`)
	if err := c.SetPresence("away", "Lunch", 0); err != nil {
		t.Fatal(err)
	}
	browserAwait(t, ctx, widget+` === 'away'`)
}

// browserAwait polls a JavaScript predicate in the page until it holds.
func browserAwait(t *testing.T, ctx context.Context, js string) {
	t.Helper()
	_, err := chromedp.Run(ctx, chromedp.Poll[bool](js, chromedp.WithPollingInterval(20*time.Millisecond),
		chromedp.WithPollingTimeout(changeWait)))
	if err != nil {
		page, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`document.documentElement.outerHTML`))
		t.Fatalf("waiting for %s: %v\npage: %.1500s", js, err, page)
	}
}

// TestGracefulShutdown: on SIGTERM badges closes WebSockets with 1001,
// logs the watcher off (contacts see it unavailable) and exits 0 within
// the 10 s of docs/API.md#operations.
func TestGracefulShutdown(t *testing.T) {
	p, srv, alice, c := xmppServer(t)
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	defer cancel()
	ws, _, err := websocket.Dial(ctx, "ws"+srv.base[len("http"):]+"/ws?jid="+alice, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer ws.CloseNow()
	// Making alice a contact publishes her offline first: wait for the
	// value she settles on, so that no change is in flight at SIGTERM.
	for {
		_, b, err := ws.Read(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(string(b), `"status":"available"`) {
			break
		}
	}

	start := time.Now()
	if err := srv.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	_, _, err = ws.Read(ctx)
	if code := websocket.CloseStatus(err); code != websocket.StatusGoingAway {
		t.Errorf("socket closed with %v (%v), want 1001", code, err)
	}
	bot := "badges@" + p.Domain
	c.AwaitPresence(changeWait, bot, "unavailable")
	select {
	case <-srv.done:
	case <-time.After(10 * time.Second):
		t.Fatalf("still running 10 s after SIGTERM\n%s", srv.output())
	}
	if srv.err != nil {
		t.Errorf("exit after %v: %v\n%s", time.Since(start), srv.err, srv.output())
	}
}
