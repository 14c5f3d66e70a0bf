package web

import (
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"badges/presence"
)

func TestPagesHeadersAndAssets(t *testing.T) {
	f := newFixture(t, Options{})
	f.online(t, "alice@example.com", presence.Away, "")
	for target, frame := range map[string]string{
		"/":                                  "frame-ancestors 'self'",
		"/embed/alice@example.com":           "frame-ancestors *",
		"/embed/room/chat@rooms.example.com": "frame-ancestors *",
		"/dashboard?jid=alice@example.com":   "frame-ancestors 'self'",
		"/dashboard/friends":                 "frame-ancestors 'self'",
	} {
		res, body := f.do(t, "GET", target, nil)
		csp := res.Header.Get("Content-Security-Policy")
		if res.StatusCode != 200 || !strings.Contains(csp, "script-src 'self'") || !strings.Contains(csp, frame) {
			t.Errorf("%s: %d CSP %q", target, res.StatusCode, csp)
		}
		if res.Header.Get("Cache-Control") != "no-cache" || res.Header.Get("ETag") == "" {
			t.Errorf("%s: cache headers %v", target, res.Header)
		}
		if strings.Contains(body, "<script>") || strings.Contains(body, " style=") {
			t.Errorf("%s: inline script or style", target)
		}
		if !regexp.MustCompile(`<meta name="description" content="[^"<>]+">`).MatchString(body) {
			t.Errorf("%s: no description", target)
		}
		// Every asset the page loads is served for a year.
		for _, m := range regexp.MustCompile(`(?:src|href)="(/static/[^"]+)"`).FindAllStringSubmatch(body, -1) {
			res, _ := f.do(t, "GET", m[1], nil)
			if res.StatusCode != 200 || res.Header.Get("Cache-Control") != cacheImmutable {
				t.Errorf("%s: %s: %d %q", target, m[1], res.StatusCode, res.Header.Get("Cache-Control"))
			}
		}
	}
	if _, body := f.do(t, "GET", "/embed/alice@example.com", nil); !strings.Contains(body, `<meta name="description" content="Live XMPP presence of alice@example.com.">`) {
		t.Errorf("embed description: %.400s", body)
	}
	if res, _ := f.do(t, "GET", "/static/widget.0000.js", nil); res.StatusCode != 404 {
		t.Errorf("stale asset name: %d", res.StatusCode)
	}
	res, _ := f.do(t, "GET", "/widget.js", nil)
	etag := res.Header.Get("ETag")
	if res.StatusCode != 200 || res.Header.Get("Cache-Control") != cacheWidget || etag == "" ||
		!strings.HasPrefix(res.Header.Get("Content-Type"), "text/javascript") {
		t.Errorf("/widget.js: %d %v", res.StatusCode, res.Header)
	}
	if res, _ := f.do(t, "GET", "/widget.js", map[string]string{"If-None-Match": etag}); res.StatusCode != http.StatusNotModified {
		t.Errorf("/widget.js revalidation: %d", res.StatusCode)
	}
}

func TestEmbedEscapesText(t *testing.T) {
	f := newFixture(t, Options{})
	jid := "x@example.com"
	if err := f.dir.SetRosterItem(jid, presence.RosterItem{Subscribed: true}); err != nil {
		t.Fatal(err)
	}
	f.dir.SetResource(jid, "r", presence.Resource{Status: presence.Available, Message: `<script>alert(1)</script> & "q"`})
	res, body := f.do(t, "GET", "/embed/"+jid+"?theme=%22%3E%3Cx", nil)
	if res.StatusCode != 200 {
		t.Fatalf("%d %s", res.StatusCode, body)
	}
	for _, bad := range []string{"<script>alert", `"><x`, `"q"`} {
		if strings.Contains(body, bad) {
			t.Errorf("unescaped %q in %s", bad, body)
		}
	}
	if !strings.Contains(body, `class="theme-auto"`) {
		t.Errorf("unknown theme not replaced by auto")
	}
}

func TestDashboards(t *testing.T) {
	f := newFixture(t, Options{})
	for _, jid := range []string{"a@example.com", "b@example.com"} {
		if err := f.dir.SetRosterItem(jid, presence.RosterItem{Subscribed: true, Groups: []string{"team"}}); err != nil {
			t.Fatal(err)
		}
	}
	if err := f.dir.SetChoice("b@example.com", true, 0); err != nil { // opted out: shown nowhere
		t.Fatal(err)
	}
	_, body := f.do(t, "GET", "/dashboard/team", nil)
	if !strings.Contains(body, `data-name="a@example.com"`) || strings.Contains(body, "b@example.com") {
		t.Errorf("group dashboard: %s", body)
	}
	_, none := f.do(t, "GET", "/dashboard/nosuchgroup", nil)
	if strings.Count(none, "data-name=") != 0 || !strings.Contains(none, "Nobody to show") {
		t.Errorf("unknown group: %s", none)
	}
	for _, target := range []string{"/dashboard", "/dashboard?jid=@bad", "/dashboard?" + strings.Repeat("jid=a@example.com&", 101)} {
		if res, _ := f.do(t, "GET", target, nil); res.StatusCode != 400 {
			t.Errorf("%.40s: %d", target, res.StatusCode)
		}
	}
	signed := newFixture(t, Options{Verify: func(presence.Topic, string) bool { return false }})
	if res, _ := signed.do(t, "GET", "/dashboard/team", nil); res.StatusCode != 404 {
		t.Errorf("group dashboard under signed visibility: %d", res.StatusCode)
	}
}

// The embed's first view holds the rich presence the reader may see, the
// picture under the base path; a hidden field is not in the page.
func TestEmbedRich(t *testing.T) {
	const jid = "alice@example.com"
	f := newFixture(t, Options{BasePath: "/presence", Avatars: pictures(t)})
	f.online(t, jid, presence.Available, "")
	f.dir.SetResource(jid, "pc", presence.Resource{Status: presence.Available, Changed: time.Now(),
		IdleSince: time.Now().Add(-5*time.Minute - 10*time.Second)})
	f.dir.SetProfile(jid, richProfile())
	_, body := f.do(t, "GET", "/presence/embed/"+jid, nil)
	for _, want := range []string{`src="/presence/avatar/alice@example.com.png?v=` + redPicture, ">Alice<", ">Roundabout<", ">happy<", "idle for 5 minutes", "data-idle-since=\"20"} {
		if !strings.Contains(body, want) {
			t.Errorf("embed lacks %q:\n%s", want, body)
		}
	}
	mustNil(t, f.dir.SetChoice(jid, false, presence.FieldSet(presence.FieldTune).With(presence.FieldAvatar)))
	_, body = f.do(t, "GET", "/presence/embed/"+jid, nil)
	if strings.Contains(body, "Roundabout") || strings.Contains(body, "/avatar/") {
		t.Errorf("hidden tune or picture in the embed:\n%s", body)
	}
}
