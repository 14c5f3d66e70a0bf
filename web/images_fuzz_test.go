package web

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"badges/presence"
	"badges/render"
)

// FuzzOpenfireQuery: whatever the query, the parser never panics, and
// every redirect it lets through goes to an allowed host over http(s)
// without user information.
func FuzzOpenfireQuery(f *testing.F) {
	for _, s := range []string{
		"jid=alice@example.com",
		"jid=alice@example.com&type=xml&req_jid=bob@example.com",
		"jid=a@b&images=https://img.example.com/--IMAGE--.gif",
		"jid=a@b&dnd=http://img.example.com:81/x&images=https://--IMAGE--.example.com/",
		"jid=a@b&available=https://u:p@img.example.com/&type=image",
		"jid=a@b&forbidden=//img.example.com/x",
		"type=text&jid=",
		"jid=%ff&images=https://[::1]/--IMAGE--",
	} {
		f.Add(s)
	}
	hosts := newHostSet([]string{"img.example.com", "::1"})
	f.Fuzz(func(t *testing.T, raw string) {
		v, err := url.ParseQuery(raw)
		if err != nil {
			return
		}
		q, err := parseOpenfireQuery(v, hosts)
		if err != nil {
			return
		}
		if q.jid == "" || (q.typ != openfireImage && q.typ != openfireText && q.typ != openfireXML) {
			t.Fatalf("accepted %+v", q)
		}
		for _, name := range render.OpenfireNames {
			target, ok := q.redirect(name)
			if !ok {
				continue
			}
			loc, err := hosts.check(target)
			if err != nil {
				t.Fatalf("%s: accepted a redirect that fails the check: %v", name, err)
			}
			u, err := url.Parse(loc)
			if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.User != nil || !hosts[strings.ToLower(u.Hostname())] {
				t.Fatalf("%s: redirect to %q (%v)", name, loc, err)
			}
		}
	})
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
