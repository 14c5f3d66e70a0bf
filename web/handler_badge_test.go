package web

import (
	"bytes"
	"image/png"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"badges/presence"
	"badges/render"
	"badges/web/respond"
)

func TestBadgeRoutes(t *testing.T) {
	f := newFixture(t, Options{})
	f.online(t, "alice@example.com", presence.DND, "In a meeting")
	f.dir.SetRoom("chat@rooms.example.com", 12)

	tests := []struct {
		path, want string // want: a piece of the SVG, or "" for PNG
	}{
		{"/badge/alice@example.com.svg", `aria-label="alice@example.com: do not disturb"`},
		{"/badge/alice%40example.com.svg", `aria-label="alice@example.com: do not disturb"`},
		{"/badge/Alice@Example.com/phone.svg", `aria-label="alice@example.com: do not disturb"`},
		{"/badge/alice%40example.com%2Fphone.svg", `aria-label="alice@example.com: do not disturb"`},
		{"/badge/alice@example.com.svg?message=text", `aria-label="alice@example.com: In a meeting"`},
		{"/badge/alice@example.com.svg?label=", `aria-label="do not disturb"`},
		{"/badge/alice@example.com.svg?label=Alice&dnd=purple", `fill="#800080"`},
		{"/badge/alice@example.com.svg?logo=xmpp", `<path fill="#fff"`},
		{"/badge/alice@example.com.svg?style=for-the-badge", `DO NOT DISTURB`},
		{"/badge/alice@example.com.png", ""},
		{"/icon/alice@example.com.svg?size=64", `width="64" height="64"`},
		{"/icon/alice@example.com.png", ""},
		{"/room/chat@rooms.example.com.svg", `aria-label="chat: 12 online"`},
		{"/room/chat@rooms.example.com.svg?label=Lobby", `aria-label="Lobby: 12 online"`},
		{"/room/chat@rooms.example.com.png?scale=2", ""},
	}
	for _, tt := range tests {
		res, body := f.do(t, "GET", tt.path, nil)
		if res.StatusCode != http.StatusOK {
			t.Errorf("%s: %d %s", tt.path, res.StatusCode, body)
			continue
		}
		if tt.want == "" {
			if ct := res.Header.Get("Content-Type"); ct != "image/png" {
				t.Errorf("%s: Content-Type %q", tt.path, ct)
			}
			if _, err := png.Decode(strings.NewReader(body)); err != nil {
				t.Errorf("%s: %v", tt.path, err)
			}
			continue
		}
		if !strings.Contains(body, tt.want) {
			t.Errorf("%s lacks %s:\n%s", tt.path, tt.want, body)
		}
	}
}

func TestBadgeStylesAndScales(t *testing.T) {
	f := newFixture(t, Options{})
	f.online(t, "alice@example.com", presence.Available, "")
	seen := map[string]string{}
	for _, st := range render.Styles {
		_, body := f.do(t, "GET", "/badge/alice@example.com.svg?style="+string(st), nil)
		if prev, dup := seen[body]; dup {
			t.Errorf("style %s draws the same SVG as %s", st, prev)
		}
		seen[body] = string(st)
	}
	// Unknown styles are flat.
	_, flat := f.do(t, "GET", "/badge/alice@example.com.svg", nil)
	if _, odd := f.do(t, "GET", "/badge/alice@example.com.svg?style=wavy", nil); odd != flat {
		t.Error("an unknown style is not flat")
	}
	// PNG height is 20 px times the scale; SVG ignores scale.
	for scale, h := range map[string]int{"1": 20, "2": 40, "3": 60, "9": 60, "x": 20} {
		_, body := f.do(t, "GET", "/badge/alice@example.com.png?scale="+scale, nil)
		img, err := png.Decode(strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		if got := img.Bounds().Dy(); got != h {
			t.Errorf("scale %s: height %d, want %d", scale, got, h)
		}
	}
	if _, svg := f.do(t, "GET", "/badge/alice@example.com.svg?scale=3", nil); svg != flat {
		t.Error("scale changes an SVG")
	}
	// Icons are 16 to 128 px.
	for size, want := range map[string]int{"": 16, "32": 32, "8": 16, "500": 128} {
		_, body := f.do(t, "GET", "/icon/alice@example.com.png?size="+size, nil)
		img, err := png.Decode(strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		if got := img.Bounds().Dx(); got != want {
			t.Errorf("icon size %q: %d px, want %d", size, got, want)
		}
	}
}

func TestBadgeHeaders(t *testing.T) {
	f := newFixture(t, Options{})
	f.online(t, "alice@example.com", presence.Away, "")
	for _, path := range []string{"/badge/alice@example.com.svg", "/badge/alice@example.com.png",
		"/icon/alice@example.com.svg", "/room/chat@rooms.example.com.svg", "/badge/not%20a%20jid@.svg", "/badge/alice@example.com.gif"} {
		res, _ := f.do(t, "GET", path, nil)
		h := res.Header
		for k, want := range map[string]string{
			"Cache-Control": "no-cache", "X-Content-Type-Options": "nosniff", "Access-Control-Allow-Origin": "*",
		} {
			if h.Get(k) != want {
				t.Errorf("%s: %s = %q, want %q", path, k, h.Get(k), want)
			}
		}
		if et := h.Get("ETag"); !strings.HasPrefix(et, `"`) || len(et) < 10 {
			t.Errorf("%s: ETag %q", path, et)
		}
		svg := strings.HasPrefix(h.Get("Content-Type"), "image/svg+xml")
		if csp := h.Get("Content-Security-Policy"); svg != (csp == respond.CSPImage) {
			t.Errorf("%s (%s): CSP %q", path, h.Get("Content-Type"), csp)
		}
	}
}

func TestBadgeRevalidation(t *testing.T) {
	f := newFixture(t, Options{})
	f.online(t, "alice@example.com", presence.Available, "")
	for _, path := range []string{"/badge/alice@example.com.svg", "/badge/alice@example.com.png?scale=2", "/icon/alice@example.com.svg"} {
		res, body := f.do(t, "GET", path, nil)
		etag := res.Header.Get("ETag")
		res, empty := f.do(t, "GET", path, map[string]string{"If-None-Match": etag})
		if res.StatusCode != http.StatusNotModified || empty != "" {
			t.Errorf("%s: same ETag gave %d with %d bytes", path, res.StatusCode, len(empty))
		}
		if res, _ := f.do(t, "HEAD", path, nil); res.StatusCode != 200 || res.Header.Get("ETag") != etag {
			t.Errorf("%s: HEAD = %d %s", path, res.StatusCode, res.Header.Get("ETag"))
		}
		f.online(t, "alice@example.com", presence.XA, "")
		res, body2 := f.do(t, "GET", path, map[string]string{"If-None-Match": etag})
		if res.StatusCode != 200 || res.Header.Get("ETag") == etag || body2 == body {
			t.Errorf("%s after a change: %d, ETag %s (was %s), same bytes %v", path, res.StatusCode, res.Header.Get("ETag"), etag, body2 == body)
		}
		f.online(t, "alice@example.com", presence.Available, "")
	}
	// A room's count is its presence.
	res, _ := f.do(t, "GET", "/room/chat@rooms.example.com.svg", nil)
	etag := res.Header.Get("ETag")
	f.dir.SetRoom("chat@rooms.example.com", 3)
	if res, body := f.do(t, "GET", "/room/chat@rooms.example.com.svg", map[string]string{"If-None-Match": etag}); res.StatusCode != 200 || !strings.Contains(body, "3 online") {
		t.Errorf("room after a change: %d %s", res.StatusCode, body)
	}
}

func TestBadgeErrors(t *testing.T) {
	f := newFixture(t, Options{})
	tests := []struct {
		path  string
		code  int
		ctype string
		says  string
	}{
		{"/badge/alice@example.com", 404, "image/svg+xml", "use .svg or .png"},
		{"/badge/alice@example.com.gif", 404, "image/svg+xml", "use .svg or .png"},
		{"/badge/.svg", 400, "image/svg+xml", "invalid JID"},
		{"/badge/a@b@c.svg", 400, "image/svg+xml", "invalid JID"},
		{"/badge/a%00b@example.com.png", 400, "image/png", ""},
		{"/icon/@example.com.svg", 400, "image/svg+xml", "invalid JID"},
		{"/room/rooms.example.com.svg", 400, "image/svg+xml", "invalid room"},
		{"/room/chat@rooms.example.com.txt", 404, "image/svg+xml", "use .svg or .png"},
	}
	for _, tt := range tests {
		res, body := f.do(t, "GET", tt.path, nil)
		if res.StatusCode != tt.code || !strings.HasPrefix(res.Header.Get("Content-Type"), tt.ctype) || !strings.Contains(body, tt.says) {
			t.Errorf("%s = %d %s, want %d %s saying %q:\n%s", tt.path, res.StatusCode, res.Header.Get("Content-Type"), tt.code, tt.ctype, tt.says, body)
		}
		if tt.ctype == "image/png" {
			if _, err := png.Decode(bytes.NewReader([]byte(body))); err != nil {
				t.Errorf("%s: %v", tt.path, err)
			}
		}
	}
}

// FuzzImagePath: any name on an image route gets an image (or the mux's
// redirect to a clean path), 200 only for a valid JID with .svg or .png,
// never a panic.
func FuzzImagePath(f *testing.F) {
	for _, s := range []string{"alice@example.com.svg", "Alice%40Example.com%2Fphone.png", "a@b@c.svg", ".png", "x", "%00.svg", "\u00e9@\u00e9.svg"} {
		f.Add(s)
	}
	srv := New(Options{Hub: presence.NewMemHub(), Directory: (*presence.Directory)(nil)})
	f.Fuzz(func(t *testing.T, name string) {
		req, err := http.NewRequest("GET", "http://badges.test/badge/"+name, nil)
		if err != nil {
			return
		}
		rec := httptest.NewRecorder()
		srv.ServeHTTP(rec, req)
		ct := rec.Header().Get("Content-Type")
		switch rec.Code {
		case http.StatusOK, http.StatusBadRequest, http.StatusNotFound:
			if !strings.HasPrefix(ct, "image/") {
				t.Fatalf("%q: %d with %s", name, rec.Code, ct)
			}
		case http.StatusRequestURITooLong:
			// Answered before routing, as an image on an image's name.
			if (strings.HasSuffix(req.URL.Path, ".svg") || strings.HasSuffix(req.URL.Path, ".png")) && !strings.HasPrefix(ct, "image/") {
				t.Fatalf("%q: %d with %s", name, rec.Code, ct)
			}
		case http.StatusMovedPermanently, http.StatusTemporaryRedirect, http.StatusPermanentRedirect:
			// The mux sends an unclean path ("/badge/.") to its clean form.
		default:
			t.Fatalf("%q: status %d", name, rec.Code)
		}
		if rec.Code == http.StatusOK {
			base, _, ok := render.CutFormat(req.URL.Path[len("/badge/"):])
			if _, err := presence.ParseJID(base); !ok || err != nil {
				t.Fatalf("%q: 200 for an invalid name (%v)", name, err)
			}
		}
	})
}
