package web

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"badges/presence"
	"badges/render"
)

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
