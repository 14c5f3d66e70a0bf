package bench

import (
	"context"
	"fmt"
	"slices"
	"sync/atomic"
	"testing"
	"time"

	"badges/cluster"
	"badges/internal/testenv"
	"badges/presence"
	"badges/store"
)

// The benchmarks of replicas on Redis (docs/PERFORMANCE.md, Replicas),
// each side by side with a single process doing the same on bbolt. Redis
// is Debian's redis-server with appendfsync always, as production runs it
// when a write must survive a crash; bbolt syncs each write as badges
// always does. Run them with a fixed count:
//
//	go test ./bench -run '^$' -bench 'Replica|Fanout|DurableWrites' -benchtime 200x

// side is one way of running badges: one process, or several replicas.
type side struct {
	// write is where changes are made, and writeHub its hub; others are
	// the hubs of the other replicas (none for a single process).
	write    *presence.Directory
	writeHub *presence.MemHub
	others   []*presence.MemHub
}

// far is where a reader waits for a change: another replica if any.
func (s side) far() *presence.MemHub {
	if len(s.others) > 0 {
		return s.others[0]
	}
	return s.writeHub
}

// all is every hub.
func (s side) all() []*presence.MemHub { return append([]*presence.MemHub{s.writeHub}, s.others...) }

// single is one process on a bbolt store.
func single(b *testing.B) side {
	st, err := store.Open(b.TempDir())
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { st.Close() })
	hub := presence.NewMemHub()
	dir, err := presence.NewDirectory(hub, st, presence.DirectoryOptions{ShowMessages: true})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(dir.Close)
	return side{write: dir, writeHub: hub}
}

// replicas is n replicas in this process sharing one Redis, each with its
// own client, directory and hub, as n processes would have. Changes are
// made on the first.
func replicas(b *testing.B, n int) side {
	r := testenv.StartRedis(b)
	var s side
	for i := range n {
		rdb, err := cluster.Connect(r.URL)
		if err != nil {
			b.Fatal(err)
		}
		b.Cleanup(func() { rdb.Close() })
		st := cluster.NewStore(rdb)
		hub := presence.NewMemHub()
		dir, err := presence.NewDirectory(hub, st, presence.DirectoryOptions{ShowMessages: true})
		if err != nil {
			b.Fatal(err)
		}
		b.Cleanup(dir.Close)
		node := cluster.NewNode(cluster.NodeOptions{Client: rdb, Store: st, Directory: dir, Hub: hub})
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan struct{})
		go func() { defer close(done); node.Run(ctx) }()
		b.Cleanup(func() { cancel(); <-done })
		for deadline := time.Now().Add(10 * time.Second); node.Ready() != ""; {
			if time.Now().After(deadline) {
				b.Fatal("replica not ready")
			}
			time.Sleep(10 * time.Millisecond) // poll interval of a condition with no event
		}
		if i == 0 {
			s.write, s.writeHub = dir, hub
		} else {
			s.others = append(s.others, hub)
		}
	}
	return s
}

// reportLatency reports the median and 90th percentile of ds.
func reportLatency(b *testing.B, ds []time.Duration) {
	slices.Sort(ds)
	ms := func(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
	b.ReportMetric(ms(ds[len(ds)/2]), "ms-p50")
	b.ReportMetric(ms(ds[len(ds)*9/10]), "ms-p90")
	b.ReportMetric(0, "ns/op")
}

// BenchmarkChangeToReplica measures the delay from an acknowledged write
// (a PUT, without HTTP) to a subscriber's wake-up: a single process on
// bbolt; a replica on Redis, read on itself; and read on another replica,
// which adds the notice's hop.
func BenchmarkChangeToReplica(b *testing.B) {
	for _, tc := range []struct {
		name string
		make func(*testing.B) side
	}{
		{"single", single},
		{"redis-same-replica", func(b *testing.B) side { return replicas(b, 1) }},
		{"redis-other-replica", func(b *testing.B) side { return replicas(b, 2) }},
	} {
		b.Run(tc.name, func(b *testing.B) {
			s := tc.make(b)
			const jid = "alice@example.com"
			woke := make(chan struct{}, 1)
			sub := s.far().Subscribe(func() {
				select {
				case woke <- struct{}{}:
				default:
				}
			})
			defer sub.Close()
			if err := sub.Add(0, presence.JIDTopic(jid)); err != nil {
				b.Fatal(err)
			}
			statuses := []presence.Status{presence.Away, presence.DND}
			var buf []*presence.Entry
			ds := make([]time.Duration, 0, b.N)
			b.ResetTimer()
			for i := range b.N {
				want := statuses[i%2]
				buf = sub.Take(buf[:0])
				select {
				case <-woke:
				default:
				}
				start := time.Now()
				if _, err := s.write.SetHTTP(jid, want, "", time.Hour); err != nil {
					b.Fatal(err)
				}
				for {
					buf = sub.Take(buf[:0])
					if len(buf) > 0 && buf[len(buf)-1].Presence.Status == want {
						break
					}
					<-woke
				}
				ds = append(ds, time.Since(start))
			}
			b.StopTimer()
			reportLatency(b, ds)
		})
	}
}

// BenchmarkFanout10k measures the delay from an acknowledged write to the
// wake-up of the last of 10,000 subscribers of one JID: all on one process,
// or spread evenly over three replicas, the one written to included.
// It measures the hubs and the Redis hop, not the WebSocket writes, which
// the live benchmarks measure.
func BenchmarkFanout10k(b *testing.B) {
	const subscribers = 10000
	for _, tc := range []struct {
		name string
		make func(*testing.B) side
	}{
		{"single", single},
		{"3-replicas", func(b *testing.B) side { return replicas(b, 3) }},
	} {
		b.Run(tc.name, func(b *testing.B) {
			s := tc.make(b)
			const jid = "bob@example.com"
			var woken atomic.Int64
			all := make(chan struct{}, 1)
			hubs := s.all()
			subs := make([]presence.Subscription, subscribers)
			for i := range subs {
				subs[i] = hubs[i%len(hubs)].Subscribe(func() {
					if woken.Add(1) == subscribers {
						select { // never block: the hub is locked here
						case all <- struct{}{}:
						default:
						}
					}
				})
				if err := subs[i].Add(0, presence.JIDTopic(jid)); err != nil {
					b.Fatal(err)
				}
			}
			defer func() {
				for _, sub := range subs {
					sub.Close()
				}
			}()
			statuses := []presence.Status{presence.Away, presence.DND}
			var buf []*presence.Entry
			ds := make([]time.Duration, 0, b.N)
			b.ResetTimer()
			for i := range b.N {
				for _, sub := range subs {
					buf = sub.Take(buf[:0])
				}
				woken.Store(0)
				select {
				case <-all: // left by the subscriptions' first values
				default:
				}
				start := time.Now()
				if _, err := s.write.SetHTTP(jid, statuses[i%2], "", time.Hour); err != nil {
					b.Fatal(err)
				}
				<-all
				ds = append(ds, time.Since(start))
			}
			b.StopTimer()
			reportLatency(b, ds)
		})
	}
}

// BenchmarkDurableWrites measures acknowledged writes per second, 32 at a
// time on distinct JIDs: bbolt on one process, Redis for replicas.
func BenchmarkDurableWrites(b *testing.B) {
	for _, tc := range []struct {
		name string
		make func(*testing.B) side
	}{
		{"bbolt", single},
		{"redis", func(b *testing.B) side { return replicas(b, 1) }},
	} {
		b.Run(tc.name, func(b *testing.B) {
			s := tc.make(b)
			var n atomic.Int64
			b.SetParallelism(32)
			start := time.Now()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					jid := fmt.Sprintf("user%d@example.com", n.Add(1))
					if _, err := s.write.SetHTTP(jid, presence.Away, "", time.Hour); err != nil {
						b.Error(err)
						return
					}
				}
			})
			b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "writes/s")
		})
	}
}
