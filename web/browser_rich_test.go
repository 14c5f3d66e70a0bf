package web

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"

	"badges/internal/hubtest"
	"badges/internal/testenv"
	"badges/presence"
)

// newClockFixture is newWSFixture whose directory reads the time from now,
// so that a test can say when a JID was last seen; requests counts the
// HTTP requests the server gets.
func newClockFixture(t *testing.T, now func() time.Time, requests *atomic.Int64) *wsFixture {
	t.Helper()
	hub := hubtest.NewRecorder(presence.NewMemHub())
	dir, err := presence.NewDirectory(hub, openStore(t), presence.DirectoryOptions{ShowMessages: true, Now: now})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(dir.Close)
	f := &fixture{hub: hub, dir: dir, srv: New(Options{Hub: hub, Directory: dir})}
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		requests.Add(1)
		f.srv.ServeHTTP(w, r)
	}))
	t.Cleanup(ts.Close)
	return &wsFixture{fixture: f, http: ts}
}

// consoleErrors collects what the tab logs as an error: console.error,
// uncaught exceptions, and the browser's own log (failed loads, CSP); the
// tab has the runtime and log domains enabled from its start.
func consoleErrors(t *testing.T, ctx context.Context) func() []string {
	t.Helper()
	var mu sync.Mutex
	var errs []string
	err := chromedp.Listen(ctx, func(ev any) {
		mu.Lock()
		defer mu.Unlock()
		switch ev := ev.(type) {
		case *runtime.EventExceptionThrown:
			errs = append(errs, "exception: "+ev.ExceptionDetails.Text)
		case *runtime.EventConsoleAPICalled:
			if ev.Type == runtime.ConsoleAPICalledTypeError {
				errs = append(errs, "console.error")
			}
		case *log.EventEntryAdded:
			if ev.Entry.Level == log.EntryLevelError {
				errs = append(errs, "log: "+ev.Entry.Text+" "+ev.Entry.URL)
			}
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	return func() []string {
		mu.Lock()
		defer mu.Unlock()
		return append([]string(nil), errs...)
	}
}

// The pages log no error in the console, the favicon included, in either
// theme; the group dashboard shows its count and keeps it live.
func TestBrowserPagesWithoutConsoleErrors(t *testing.T) {
	ctx := browser(t)
	f := newWSFixture(t, Options{})
	for _, jid := range []string{"alice@example.com", "bob@example.com"} {
		mustNil(t, f.dir.SetRosterItem(jid, presence.RosterItem{Subscribed: true, Groups: []string{"team"}}))
	}
	f.dir.SetResource("alice@example.com", "pc", presence.Resource{Status: presence.Available, Changed: time.Now()})
	errs := consoleErrors(t, ctx)
	for _, path := range []string{"/favicon.ico", "/", "/?theme=dark", "/embed/alice@example.com", "/embed/room/chat@rooms.example.com",
		"/dashboard?jid=alice@example.com&jid=bob@example.com", "/dashboard/team?theme=light"} {
		if err := chromedp.Do(ctx, chromedp.Navigate(f.http.URL+path)); err != nil {
			t.Fatal(err)
		}
		if path != "/favicon.ico" {
			await(t, ctx, "the page's scripts", `document.readyState === 'complete' && !!window.XMPPPresence`)
		}
	}
	await(t, ctx, "the group count", `document.getElementById('group-online').textContent === '1' && document.getElementById('group-total').textContent === '2'`)
	waitOpen(t, ctx, f)
	f.dir.SetResource("bob@example.com", "pc", presence.Resource{Status: presence.Away, Changed: time.Now()})
	await(t, ctx, "the group count, live", `document.getElementById('group-online').textContent === '2'`)
	// A favicon request from a page, after the pages, must not fail
	// either: the test waits for that request itself to load.
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`window.favicon = new Image(); favicon.src = '/favicon.ico?from=page'; true`)); err != nil {
		t.Fatal(err)
	}
	await(t, ctx, "the favicon, loaded by the page", `favicon.complete && favicon.naturalWidth > 0`)
	if e := errs(); len(e) > 0 {
		t.Errorf("console errors: %q", e)
	}
}

// The embed words the last-seen time and words it again as the clock
// moves, without asking the server.
func TestBrowserEmbedRelativeTimeTicks(t *testing.T) {
	if testing.Short() {
		t.Skip("browser test")
	}
	// browser's bound leaves too little room for a minute to turn.
	ctx, cancel := context.WithTimeout(testenv.Chromium(t), 90*time.Second)
	t.Cleanup(cancel)
	var offset atomic.Int64 // how far the directory's clock is behind
	var requests atomic.Int64
	f := newClockFixture(t, func() time.Time { return time.Now().Add(-time.Duration(offset.Load())) }, &requests)
	const jid = "carol@example.com"
	mustNil(t, f.dir.SetRosterItem(jid, presence.RosterItem{Subscribed: true}))
	f.dir.SetResource(jid, "pc", presence.Resource{Status: presence.Available, Changed: time.Now()})
	if err := chromedp.Do(ctx, chromedp.Navigate(f.http.URL+"/embed/"+jid)); err != nil {
		t.Fatal(err)
	}
	await(t, ctx, "online", `document.querySelector('.word').textContent === 'online' && document.querySelector('.when').textContent === ''`)
	waitOpen(t, ctx, f)

	// Carol went offline 40 seconds ago, as the server's clock says: the page
	// has 20 seconds to show "just now" on a busy machine.
	offset.Store(int64(40 * time.Second))
	f.offline(t, jid, "pc")
	await(t, ctx, "last seen", `document.querySelector('.when').textContent === 'last seen just now'`)
	before := requests.Load()
	awaitLong(t, ctx, "the clock to move the words", `document.querySelector('.when').textContent === 'last seen 1 minute ago'`)
	if n := requests.Load() - before; n != 0 {
		t.Errorf("the page asked the server %d times to word the time", n)
	}
}

// awaitLong is await with room for the page's clock tick.
func awaitLong(t *testing.T, ctx context.Context, what, js string) {
	t.Helper()
	_, err := chromedp.Run(ctx, chromedp.Poll[bool](js, chromedp.WithPollingInterval(100*time.Millisecond),
		chromedp.WithPollingTimeout(40*time.Second)))
	if err != nil {
		page, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`document.documentElement.outerHTML`))
		t.Fatalf("waiting for %s: %v\npage: %.2000s", what, err, page)
	}
}

// The builder shows an example before anything is typed: a badge, a card,
// every style and the snippets.
func TestBrowserBuilderExample(t *testing.T) {
	ctx := browser(t)
	f := newWSFixture(t, Options{})
	if err := chromedp.Do(ctx, chromedp.Navigate(f.http.URL+"/")); err != nil {
		t.Fatal(err)
	}
	await(t, ctx, "the example previews", `[...document.querySelectorAll('#badge-preview, #card-preview, img.style-preview')]
		.every((i) => i.complete && i.naturalWidth > 0) && document.querySelectorAll('img.style-preview').length === 5`)
	md, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`document.getElementById('snippet-markdown').textContent`))
	if !strings.Contains(md, "/badge/"+builderExample+".svg") {
		t.Errorf("example snippet %q", md)
	}
	card, _ := chromedp.Run(ctx, chromedp.Evaluate[int](`document.getElementById('card-preview').naturalWidth`))
	if card != 400 {
		t.Errorf("card preview %d px wide, want 400", card)
	}
}

// Snippets of every kind, with options, work when pasted into a page of
// another site: the card and the badges load, and say what they should.
func TestBrowserBuilderSnippetsWork(t *testing.T) {
	ctx := browser(t)
	f := newWSFixture(t, Options{})
	const jid = "dave@example.com"
	mustNil(t, f.dir.SetRosterItem(jid, presence.RosterItem{Subscribed: true, Groups: []string{"team"}}))
	f.dir.SetResource(jid, "pc", presence.Resource{Status: presence.Chat, Changed: time.Now()})
	if err := chromedp.Do(ctx,
		chromedp.Navigate(f.http.URL+"/"),
		chromedp.SendKeys("#target", jid),
		chromedp.SetValue("#style", "social"),
		chromedp.SendKeys("#label", "Dave"),
		chromedp.SetValue("#format", "png"),
		chromedp.SetValue("#scale", "2"),
		chromedp.SetValue("#theme", "dark"),
	); err != nil {
		t.Fatal(err)
	}
	// SetValue fires no event: the change event tells the builder.
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.getElementById('theme').dispatchEvent(new Event('change'))`)); err != nil {
		t.Fatal(err)
	}
	snippet := func(id string) string {
		s, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.getElementById('snippet-`+id+`').textContent`))
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	await(t, ctx, "the card snippet", `document.getElementById('snippet-card-html').textContent.includes('theme=dark')`)
	badgeHTML, cardHTML := snippet("html"), snippet("card-html")
	if !strings.Contains(badgeHTML, "style=social") || !strings.Contains(badgeHTML, "label=Dave") ||
		!strings.Contains(badgeHTML, ".png?") || !strings.Contains(badgeHTML, "scale=2") {
		t.Errorf("badge snippet %q lacks its options", badgeHTML)
	}
	if err := chromedp.Do(ctx, chromedp.Navigate(otherOrigin(t, badgeHTML+cardHTML))); err != nil {
		t.Fatal(err)
	}
	await(t, ctx, "the pasted card and badge", `[...document.images].length === 2 && [...document.images].every((i) => i.complete && i.naturalWidth > 0) &&
		document.images[1].naturalWidth === 800`)

	// A group's snippet: its badge counts the group.
	if err := chromedp.Do(ctx, chromedp.Navigate(f.http.URL+"/")); err != nil {
		t.Fatal(err)
	}
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`(() => { const k = document.getElementById('kind'); k.value = 'group';
		const t = document.getElementById('target'); t.value = 'team'; return t.dispatchEvent(new Event('input')); })()`)); err != nil {
		t.Fatal(err)
	}
	await(t, ctx, "the group snippet", `document.getElementById('snippet-html').textContent.includes('/group/team.svg')`)
	groupHTML := snippet("html")
	if err := chromedp.Do(ctx, chromedp.Navigate(otherOrigin(t, groupHTML))); err != nil {
		t.Fatal(err)
	}
	await(t, ctx, "the pasted group badge", `document.images.length === 1 && document.images[0].complete && document.images[0].naturalWidth > 0`)
	src, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`document.images[0].src`))
	_, body := f.do(t, "GET", strings.TrimPrefix(src, f.http.URL), nil)
	if !strings.Contains(body, `aria-label="team: 1/1 online"`) {
		t.Errorf("group badge %s says %s", src, body)
	}
}
