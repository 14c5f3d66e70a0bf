// Package bench measures badges under load. These benchmarks cover the
// latest-value hub alone: the cost of a publish as the number of
// subscribers grows, and of a subscriber taking its values.
package bench

import (
	"fmt"
	"testing"

	"badges/presence"
)

// values returns two entries for one JID with different bytes, so that
// publishing them in turn always makes a new version.
func values(jid string) [2]*presence.Entry {
	var out [2]*presence.Entry
	for i, s := range []presence.Status{presence.Available, presence.Away} {
		out[i] = presence.NewPresenceEntry(presence.Presence{JID: jid, Status: s,
			Sources: map[presence.Source]presence.Status{presence.SourceXMPP: s}})
	}
	return out
}

func subscribers(b *testing.B, h *presence.MemHub, n int, topics ...presence.Topic) []presence.Subscription {
	b.Helper()
	subs := make([]presence.Subscription, n)
	for i := range subs {
		subs[i] = h.Subscribe(func() {})
		if err := subs[i].Add(0, topics...); err != nil {
			b.Fatal(err)
		}
		subs[i].Take(nil)
	}
	b.Cleanup(func() {
		for _, s := range subs {
			s.Close()
		}
	})
	return subs
}

// BenchmarkPublish publishes to one topic followed by n subscribers that do
// not read in between: each publish marks every subscriber, which is
// already dirty (the steady state of slow readers).
func BenchmarkPublish(b *testing.B) {
	for _, n := range []int{1, 1_000, 10_000} {
		b.Run(fmt.Sprintf("subs=%d", n), func(b *testing.B) {
			h := presence.NewMemHub()
			topic := presence.JIDTopic("alice@example.com")
			subscribers(b, h, n, topic)
			v := values(topic.Name)
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				h.Publish(v[i&1])
				i++
			}
		})
	}
}

// BenchmarkFanOut is one change reaching readers that keep up: a publish
// to a topic followed by n subscribers, then each of them taking it into
// a buffer it keeps, as the WebSocket writers do: neither allocates
// (TestMemHubPublishAllocs holds that for the publish).
func BenchmarkFanOut(b *testing.B) {
	for _, n := range []int{1, 1_000, 10_000} {
		b.Run(fmt.Sprintf("subs=%d", n), func(b *testing.B) {
			h := presence.NewMemHub()
			topic := presence.JIDTopic("alice@example.com")
			subs := subscribers(b, h, n, topic)
			v := values(topic.Name)
			b.ReportAllocs()
			i := 0
			var buf []*presence.Entry
			for b.Loop() {
				h.Publish(v[i&1])
				i++
				for _, s := range subs {
					buf = s.Take(buf[:0])
				}
			}
		})
	}
}

// BenchmarkTake is one subscriber catching up on k topics: k publishes,
// then one Take of the k latest values (200 is the per-connection limit of
// docs/API.md#live). Timers are not stopped around the publishes: with allocation
// reporting that would cost far more than what is measured.
func BenchmarkTake(b *testing.B) {
	for _, k := range []int{1, 200} {
		b.Run(fmt.Sprintf("topics=%d", k), func(b *testing.B) {
			h := presence.NewMemHub()
			topics := make([]presence.Topic, k)
			vals := make([][2]*presence.Entry, k)
			for i := range topics {
				topics[i] = presence.JIDTopic(fmt.Sprintf("u%d@example.com", i))
				vals[i] = values(topics[i].Name)
			}
			s := subscribers(b, h, 1, topics...)[0]
			b.ReportAllocs()
			n := 0
			var buf []*presence.Entry
			for b.Loop() {
				for i := range topics {
					h.Publish(vals[i][n&1])
				}
				n++
				if buf = s.Take(buf[:0]); len(buf) != k {
					b.Fatalf("took %d values, want %d", len(buf), k)
				}
			}
		})
	}
}
