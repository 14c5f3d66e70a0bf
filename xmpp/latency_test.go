package xmpp

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"badges/internal/hubtest"
	"badges/internal/testenv"
	"badges/presence"
)

// BenchmarkPresenceLatency measures the delay from a user's client sending
// a presence to the hub publishing it: through Prosody, the watcher and the
// Directory. Run it with a fixed count, e.g. -benchtime 50x; it reports the
// median and the 90th percentile.
func BenchmarkPresenceLatency(b *testing.B) {
	p := testenv.StartProsody(b)
	e := start(b, p, Config{}, presence.DirectoryOptions{})
	jid, c := e.optIn(b, "", "phone")
	sub := hubtest.Subscribe(e.hub)
	defer sub.Close()
	if err := sub.Add(0, presence.JIDTopic(jid)); err != nil {
		b.Fatal(err)
	}
	<-sub.C()
	sub.Take(nil) // the current value
	var lat []time.Duration
	shows := []string{"away", "dnd"}
	for i := 0; b.Loop(); i++ {
		msg := fmt.Sprintf("change %d", i)
		began := time.Now()
		if err := c.SetPresence(shows[i%2], msg, 0); err != nil {
			b.Fatal(err)
		}
		awaitMessage(b, sub, msg)
		lat = append(lat, time.Since(began))
	}
	slices.Sort(lat)
	pct := func(q float64) float64 {
		return float64(lat[int(q*float64(len(lat)-1))].Microseconds()) / 1000
	}
	b.ReportMetric(pct(0.5), "p50-ms")
	b.ReportMetric(pct(0.9), "p90-ms")
	b.ReportMetric(0, "ns/op") // the loop time includes nothing but waiting
}

func awaitMessage(b *testing.B, sub *hubtest.Chan, msg string) {
	timer := time.NewTimer(wait)
	defer timer.Stop()
	for {
		select {
		case <-sub.C():
			for _, en := range sub.Take(nil) {
				if en.Presence.Message == msg {
					return
				}
			}
		case <-timer.C:
			b.Fatalf("no presence %q within %v", msg, wait)
		}
	}
}
