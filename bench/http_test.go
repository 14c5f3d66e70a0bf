package bench

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"badges/presence"
	"badges/web"
)

// HTTP handler benchmarks: go test ./bench -run '^$' -bench HTTP -benchmem
//
// They time web.Server.ServeHTTP alone, with a minimal ResponseWriter:
// what badges adds per request on top of net/http's connection handling.
// "Bare" is a handler that writes the same bytes and headers without
// routing, middleware or rendering. bench/cmd/bench compares the two over
// real connections with wrk.

const benchJID = "alice@example.com"

// sink is a ResponseWriter that keeps nothing but the status.
type sink struct {
	h    http.Header
	code int
	n    int
}

func (w *sink) Header() http.Header { return w.h }

func (w *sink) Write(b []byte) (int, error) {
	w.n += len(b)
	return len(b), nil
}

func (w *sink) WriteHeader(code int) { w.code = code }

// serve runs h on a fresh shallow copy of req (net/http makes a request per
// request too, and handlers may change it) and a cleared header map.
func serve(b *testing.B, h http.Handler, req *http.Request, want int) {
	b.Helper()
	w := &sink{h: http.Header{}}
	b.ReportAllocs()
	for b.Loop() {
		clear(w.h)
		w.code = 0
		r := new(http.Request)
		*r = *req
		h.ServeHTTP(w, r)
	}
	if w.code != want && !(w.code == 0 && want == http.StatusOK) {
		b.Fatalf("status %d, want %d", w.code, want)
	}
}

// newBadgeServer is a server whose hub holds benchJID's presence, as it
// does for any visible JID.
func newBadgeServer(b *testing.B) http.Handler {
	b.Helper()
	hub := presence.NewMemHub()
	hub.Publish(presence.NewPresenceEntry(presence.Presence{JID: benchJID, Status: presence.DND,
		Message: "In a meeting", Sources: map[presence.Source]presence.Status{presence.SourceHTTP: presence.DND}}))
	return web.New(web.Options{Hub: hub})
}

func BenchmarkHTTPBadge(b *testing.B) {
	srv := newBadgeServer(b)
	for _, tt := range []struct {
		name, target string
		hdr          string // If-None-Match: "etag" to fill in
		want         int
	}{
		{"svg-cached", "/badge/" + benchJID + ".svg", "", 200},
		{"svg-query", "/badge/" + benchJID + ".svg?style=social&label=Alice&dnd=purple", "", 200},
		{"svg-304", "/badge/" + benchJID + ".svg", "etag", 304},
		{"png-cached", "/badge/" + benchJID + ".png?scale=2", "", 200},
		// Never published: the hub encodes the default entry on every Get.
		{"svg-unknown-jid", "/badge/nobody@example.com.svg", "", 200},
		{"shields-json", "/shields/" + benchJID + ".json", "", 200},
		{"openfire-image", "/plugins/presence/status?jid=" + benchJID, "", 200},
	} {
		b.Run(tt.name, func(b *testing.B) {
			req := httptest.NewRequest("GET", tt.target, nil)
			if tt.hdr != "" {
				rec := httptest.NewRecorder()
				srv.ServeHTTP(rec, httptest.NewRequest("GET", tt.target, nil))
				req.Header.Set("If-None-Match", rec.Header().Get("ETag"))
			}
			serve(b, srv, req, tt.want)
		})
	}
}

// BenchmarkHTTPBare is the floor: the same headers and bytes as
// BenchmarkHTTPBadge/svg-cached, written by a handler that does nothing else.
func BenchmarkHTTPBare(b *testing.B) {
	srv := newBadgeServer(b)
	rec := httptest.NewRecorder()
	srv.ServeHTTP(rec, httptest.NewRequest("GET", "/badge/"+benchJID+".svg", nil))
	body, hdr := rec.Body.Bytes(), rec.Header()
	bare := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		h := w.Header()
		for k := range hdr {
			h.Set(k, hdr.Get(k))
		}
		_, _ = w.Write(body)
	})
	serve(b, bare, httptest.NewRequest("GET", "/badge/"+benchJID+".svg", nil), 200)
}
