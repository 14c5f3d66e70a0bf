package web

import (
	"context"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"badges/internal/testenv"
	"badges/presence"
)

// The embed shows the picture, the tune and the idle time a JID shares,
// and follows them live: a new tune, the picture taken away, offline and
// "last seen" (docs/API.md#rich-presence).
func TestBrowserEmbedRichLive(t *testing.T) {
	if testing.Short() {
		t.Skip("browser test")
	}
	ctx, cancel := context.WithTimeout(testenv.Chromium(t), 90*time.Second)
	t.Cleanup(cancel)
	f := newWSFixture(t, Options{Avatars: pictures(t)})
	const jid = "alice@example.com"
	mustNil(t, f.dir.SetRosterItem(jid, presence.RosterItem{Subscribed: true}))
	f.dir.SetResource(jid, "pc", presence.Resource{Status: presence.Available, Changed: time.Now(),
		IdleSince: time.Now().Add(-5*time.Minute - 10*time.Second)})
	f.dir.SetProfile(jid, richProfile())
	if err := chromedp.Do(ctx, chromedp.Navigate(f.http.URL+"/embed/"+jid)); err != nil {
		t.Fatal(err)
	}
	await(t, ctx, "the picture, name, tune and idle time",
		`(() => { const img = document.querySelector('img.avatar');
		  return img.complete && img.naturalWidth > 0 && img.getAttribute('src').includes('/avatar/alice@example.com.png?v=`+redPicture+`') &&
		  document.querySelector('.name').textContent === 'Alice' &&
		  document.querySelector('.tune').textContent === 'Roundabout' &&
		  document.querySelector('.mood').textContent === 'happy' &&
		  /^idle for 5 minutes$/.test(document.querySelector('.when').textContent); })()`)
	waitOpen(t, ctx, f)

	p := richProfile()
	p.Tune = &presence.Tune{Artist: "Yes", Title: "Heart of the Sunrise"}
	p.PEPAvatar = ""
	f.dir.SetProfile(jid, p)
	await(t, ctx, "the new tune and the placeholder",
		`document.querySelector('.tune').textContent === 'Yes – Heart of the Sunrise' &&
		 document.querySelector('img.avatar').getAttribute('src').startsWith('data:image/png;base64,')`)
	f.offline(t, jid, "pc")
	await(t, ctx, "last seen", `document.querySelector('.word').textContent === 'offline' &&
		/^last seen (just now|1 minute ago)$/.test(document.querySelector('.when').textContent)`)
}
