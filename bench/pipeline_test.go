package bench

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"testing"
	"time"

	"badges/internal/testenv"
	"badges/presence"
	"badges/store"
	"badges/web"
	"badges/xmpp"
)

// BenchmarkPresenceToAPI measures the delay from a user's presence change,
// sent by a real XMPP client to a real Prosody, to the first JSON API answer
// that shows it: the watcher, the directory with its bbolt store, the hub
// and the HTTP handler, all as badges runs them. Run it with a fixed count:
//
//	go test ./bench -run '^$' -bench PresenceToAPI -benchtime 50x
//
// It reports the median and the 90th percentile of the b.N changes.
func BenchmarkPresenceToAPI(b *testing.B) {
	p := testenv.StartProsody(b)
	const pw = "bench-password"
	bot := p.Register("badges", pw)
	alice := p.Register("alice", pw)

	st, err := store.Open(b.TempDir())
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	hub := presence.NewMemHub()
	dir, err := presence.NewDirectory(hub, st, presence.DirectoryOptions{ShowMessages: true})
	if err != nil {
		b.Fatal(err)
	}
	defer dir.Close()
	w, err := xmpp.New(xmpp.Config{JID: bot, Password: pw, Server: p.Addr, TLS: xmpp.TLSNone,
		Logger: slog.New(slog.DiscardHandler)}, dir)
	if err != nil {
		b.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); _ = w.Run(ctx) }()
	defer func() { cancel(); <-done }()
	srv := httptest.NewServer(web.New(web.Options{Hub: hub, Directory: dir, ShowMessages: true}))
	defer srv.Close()
	url := srv.URL + "/api/v1/presence/" + alice

	c := p.Connect(alice, pw, "phone")
	if err := c.Subscription(bot, "subscribe"); err != nil {
		b.Fatal(err)
	}
	c.AwaitPresence(10*time.Second, bot, "subscribe")
	if err := c.Subscription(bot, "subscribed"); err != nil {
		b.Fatal(err)
	}
	poll(b, url, func(pr presence.Presence) bool { return pr.Status == presence.Available })

	delays := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for i := range b.N {
		want := fmt.Sprintf("change %d", i)
		t0 := time.Now()
		if err := c.SetPresence("away", want, 0); err != nil {
			b.Fatal(err)
		}
		poll(b, url, func(pr presence.Presence) bool { return pr.Message == want })
		delays = append(delays, time.Since(t0))
	}
	b.StopTimer()
	slices.Sort(delays)
	b.ReportMetric(float64(delays[len(delays)/2].Microseconds())/1000, "median-ms")
	b.ReportMetric(float64(delays[len(delays)*9/10].Microseconds())/1000, "p90-ms")
}

// poll reads the JSON API as fast as it answers until ok holds, for at most
// ten seconds.
func poll(b *testing.B, url string, ok func(presence.Presence) bool) {
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		res, err := http.Get(url)
		if err != nil {
			b.Fatal(err)
		}
		var pr presence.Presence
		err = json.NewDecoder(res.Body).Decode(&pr)
		res.Body.Close()
		if err != nil {
			b.Fatal(err)
		}
		if ok(pr) {
			return
		}
	}
	b.Fatalf("%s: condition not met within 10s", url)
}
