package web

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"badges/internal/testenv"
	"badges/presence"
)

// browser returns a tab and a bound on the test's time. Browser tests skip
// under -short.
func browser(t *testing.T) context.Context {
	t.Helper()
	if testing.Short() {
		t.Skip("browser test")
	}
	tab := testenv.Chromium(t)
	ctx, cancel := context.WithTimeout(tab, 30*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// await polls a JavaScript predicate until it holds.
func await(t *testing.T, ctx context.Context, what, js string) {
	t.Helper()
	_, err := chromedp.Run(ctx, chromedp.Poll[bool](js, chromedp.WithPollingInterval(20*time.Millisecond),
		chromedp.WithPollingTimeout(15*time.Second)))
	if err != nil {
		page, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`document.documentElement.outerHTML`))
		t.Fatalf("waiting for %s: %v\npage: %.2000s", what, err, page)
	}
}

// widgetWord is the badge word an <xmpp-presence> element shows.
func widgetWord(jid string) string {
	return fmt.Sprintf(`(document.querySelector('xmpp-presence[jid=%q]')?.shadowRoot?.querySelector('.word')?.textContent ?? '')`, jid)
}

// otherOrigin serves one HTML page from a second server: another origin.
func otherOrigin(t *testing.T, body string) string {
	t.Helper()
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html;charset=utf-8")
		fmt.Fprint(w, "<!DOCTYPE html><html><head><title>elsewhere</title></head><body>"+body+"</body></html>")
	}))
	t.Cleanup(ts.Close)
	return ts.URL
}

func TestBrowserEmbedUpdatesLive(t *testing.T) {
	ctx := browser(t)
	f := newWSFixture(t, Options{})
	f.online(t, "alice@example.com", presence.Available, "")
	if err := chromedp.Do(ctx, chromedp.Navigate(f.http.URL+"/embed/alice@example.com?theme=dark")); err != nil {
		t.Fatal(err)
	}
	await(t, ctx, "the socket", `document.querySelector('.word').textContent === 'online'`)
	waitOpen(t, ctx, f)

	f.online(t, "alice@example.com", presence.DND, "In a <b>meeting</b>")
	await(t, ctx, "the change", `document.querySelector('.word').textContent === 'do not disturb'`)
	await(t, ctx, "the announcement", `document.getElementById('announce').textContent === 'alice@example.com: do not disturb, In a <b>meeting</b>'`)
	if n, _ := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll('b').length`)); n != 0 {
		t.Errorf("status text became markup")
	}
}

// waitOpen waits until the page's socket is open.
func waitOpen(t *testing.T, ctx context.Context, f *wsFixture) {
	t.Helper()
	tick := time.NewTicker(10 * time.Millisecond)
	defer tick.Stop()
	for f.srv.live.Open() == 0 {
		select {
		case <-ctx.Done():
			t.Fatal("the page opened no socket")
		case <-tick.C:
		}
	}
}

func TestBrowserWidgetOnAnotherOrigin(t *testing.T) {
	ctx := browser(t)
	f := newWSFixture(t, Options{})
	f.online(t, "bob@example.com", presence.Available, "")
	page := otherOrigin(t, `<p>Bob is <xmpp-presence jid="bob@example.com"></xmpp-presence></p>`+
		`<script src="`+f.http.URL+`/widget.js" async></script>`)
	if err := chromedp.Do(ctx, chromedp.Navigate(page)); err != nil {
		t.Fatal(err)
	}
	await(t, ctx, "the first value", widgetWord("bob@example.com")+` === 'online'`)
	f.online(t, "bob@example.com", presence.Away, "")
	await(t, ctx, "the change", widgetWord("bob@example.com")+` === 'away'`)
}

// The widget reconnects after the badges server restarts and catches up
// with what changed meanwhile.
func TestBrowserWidgetReconnects(t *testing.T) {
	ctx := browser(t)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	start := func(st presence.Status) *wsFixture {
		f := &wsFixture{fixture: newFixture(t, Options{})}
		f.online(t, "carol@example.com", st, "")
		f.http = httptest.NewUnstartedServer(f.srv)
		f.http.Listener = ln
		f.http.Start()
		t.Cleanup(f.http.Close)
		return f
	}
	first := start(presence.Available)
	page := otherOrigin(t, `<xmpp-presence jid="carol@example.com"></xmpp-presence>`+
		`<script src="http://`+addr+`/widget.js"></script>`)
	if err := chromedp.Do(ctx, chromedp.Navigate(page)); err != nil {
		t.Fatal(err)
	}
	await(t, ctx, "the first value", widgetWord("carol@example.com")+` === 'online'`)

	if err := first.srv.Shutdown(ctx); err != nil {
		t.Fatal(err)
	}
	first.http.Close()
	if ln, err = net.Listen("tcp", addr); err != nil {
		t.Fatalf("listen again on %s: %v", addr, err)
	}
	start(presence.XA)
	await(t, ctx, "the state after the restart", widgetWord("carol@example.com")+` === 'extended away'`)
}

// A snippet copied from the builder works when pasted into another site.
func TestBrowserBuilderSnippetWorks(t *testing.T) {
	ctx := browser(t)
	f := newWSFixture(t, Options{})
	f.online(t, "dave@example.com", presence.Chat, "")
	if err := chromedp.Do(ctx,
		chromedp.Navigate(f.http.URL+"/"),
		chromedp.SendKeys("#target", "dave@example.com"),
	); err != nil {
		t.Fatal(err)
	}
	await(t, ctx, "the live preview", widgetWord("dave@example.com")+` === 'free to chat'`)
	snippet, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.getElementById('snippet-component').textContent`))
	if err != nil || snippet == "" {
		t.Fatalf("snippet %q: %v", snippet, err)
	}
	md, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`document.getElementById('snippet-markdown').textContent`))
	if want := "[![dave@example.com presence](" + f.http.URL + "/badge/dave@example.com.svg)](" + f.http.URL + "/embed/dave@example.com)"; md != want {
		t.Errorf("markdown snippet %q, want %q", md, want)
	}

	if err := chromedp.Do(ctx, chromedp.Navigate(otherOrigin(t, snippet))); err != nil {
		t.Fatal(err)
	}
	await(t, ctx, "the pasted widget", widgetWord("dave@example.com")+` === 'free to chat'`)
	f.online(t, "dave@example.com", presence.Offline, "")
	await(t, ctx, "the change", widgetWord("dave@example.com")+` === 'offline'`)
}

// widgetRoomWord is the word an <xmpp-room> element shows.
func widgetRoomWord(room string) string {
	return fmt.Sprintf(`(document.querySelector('xmpp-room[room=%q]')?.shadowRoot?.querySelector('.word')?.textContent ?? '')`, room)
}

// The widget follows a JID or room however the page writes it: full-width
// letters, upper case, a punycode domain or a final dot. Frames carry the
// server's name only; the widget learns it from the JSON API.
func TestBrowserWidgetFollowsNormalisedNames(t *testing.T) {
	ctx := browser(t)
	f := newWSFixture(t, Options{})
	f.online(t, "frank@example.com", presence.Available, "")
	f.online(t, "erin@bücher.example", presence.Away, "")
	f.dir.SetRoom("chat@rooms.example.com", 2)
	const wide, idn, room = "ｆｒａｎｋ@example.com", "Erin@XN--BCHER-KVA.Example", "Chat@ROOMS.example.com."
	page := otherOrigin(t, `<xmpp-presence jid="`+wide+`"></xmpp-presence>`+
		`<xmpp-presence jid="frank@example.com"></xmpp-presence>`+
		`<xmpp-presence jid="`+idn+`"></xmpp-presence>`+
		`<xmpp-room room="`+room+`"></xmpp-room>`+
		`<script src="`+f.http.URL+`/widget.js" async></script>`)
	if err := chromedp.Do(ctx, chromedp.Navigate(page)); err != nil {
		t.Fatal(err)
	}
	await(t, ctx, "the first values", widgetWord(wide)+` === 'online' && `+widgetWord("frank@example.com")+` === 'online' && `+
		widgetWord(idn)+` === 'away' && `+widgetRoomWord(room)+` === '2 online'`)
	waitOpen(t, ctx, f)

	f.online(t, "frank@example.com", presence.DND, "")
	f.online(t, "erin@bücher.example", presence.XA, "")
	f.dir.SetRoom("chat@rooms.example.com", 5)
	await(t, ctx, "the changes", widgetWord(wide)+` === 'do not disturb' && `+widgetWord("frank@example.com")+` === 'do not disturb' && `+
		widgetWord(idn)+` === 'extended away' && `+widgetRoomWord(room)+` === '5 online'`)
}

// The builder percent-encodes what encodeURIComponent leaves, so that a JID
// with ( ) ! * gives a Markdown snippet whose links end where they should,
// and a badge URL that still works.
func TestBrowserBuilderEncodesParentheses(t *testing.T) {
	ctx := browser(t)
	f := newWSFixture(t, Options{})
	const jid = "o(k)!*@example.com"
	f.online(t, jid, presence.Chat, "")
	if err := chromedp.Do(ctx,
		chromedp.Navigate(f.http.URL+"/"),
		chromedp.SendKeys("#target", jid),
	); err != nil {
		t.Fatal(err)
	}
	await(t, ctx, "the live preview", widgetWord(jid)+` === 'free to chat'`)
	await(t, ctx, "the badge preview", `(() => { const i = document.getElementById('badge-preview'); return i.complete && i.naturalWidth > 0; })()`)
	md, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`document.getElementById('snippet-markdown').textContent`))
	const seg = "o%28k%29%21%2A@example.com"
	if want := "[![" + jid + " presence](" + f.http.URL + "/badge/" + seg + ".svg)](" + f.http.URL + "/embed/" + seg + ")"; md != want {
		t.Errorf("markdown snippet %q, want %q", md, want)
	}
}
