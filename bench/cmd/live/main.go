// Command live runs the live (WebSocket) benchmarks against a separate
// server process and prints a table: memory per idle connection, connect
// rate, and fan-out latency from publish to receipt. See
// docs/PERFORMANCE.md, section "Live".
//
//	go run ./bench/cmd/live [-idle 15000] [-fanout 1000,10000] [-rounds 20] [-batch 1ms]
package main

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"log"
	"net"
	"os"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"badges/bench/wsload"
)

func main() {
	idle := flag.Int("idle", 15000, "idle connections to measure memory with")
	fanout := flag.String("fanout", "1000,10000", "subscriber counts of the fan-out runs")
	rounds := flag.Int("rounds", 20, "presence changes per fan-out run")
	sources := flag.Int("sources", 8, "loopback source addresses (127.0.0.2 on)")
	workers := flag.Int("workers", 64, "concurrent connects")
	batch := flag.Duration("batch", time.Millisecond,
		"how long a reading loop of the load generator sleeps after a wake-up that found frames (0: none)")
	limit := flag.Duration("timeout", 5*time.Minute, "bound on the whole run")
	flag.Parse()
	ctx, cancel := context.WithTimeout(context.Background(), *limit)
	defer cancel()
	b := &bench{workers: *workers, src: wsload.Sources(*sources), batch: *batch}
	if err := b.run(ctx, *idle, *fanout, *rounds); err != nil {
		log.Fatal(err)
	}
}

type row struct{ name, value, goal string }

// bench holds the server under test and how the load generator connects.
type bench struct {
	srv     *wsload.Server
	workers int
	src     []net.IP
	batch   time.Duration
}

func (b *bench) run(ctx context.Context, idle int, fanout string, rounds int) error {
	nofile, err := wsload.RaiseFileLimit()
	if err != nil {
		return err
	}
	tmp, err := os.MkdirTemp("", "bench-live-")
	if err != nil {
		return fmt.Errorf("live: %w", err)
	}
	defer os.RemoveAll(tmp)
	srv, err := wsload.StartServer(ctx, "./bench/cmd/liveserver", tmp)
	if err != nil {
		return err
	}
	defer srv.Stop()
	b.srv = srv
	var rows []row

	if idle > 0 {
		r, err := b.idleRun(ctx, idle)
		if err != nil {
			return err
		}
		rows = append(rows, r...)
	}
	for f := range strings.SplitSeq(fanout, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil {
			return fmt.Errorf("live: -fanout %q: %w", fanout, err)
		}
		r, err := b.fanoutRun(ctx, n, rounds)
		if err != nil {
			return err
		}
		rows = append(rows, r...)
	}

	fmt.Printf("\nlive benchmarks: %d CPUs, %s, open files %d, %d source addresses, batch %v\n\n",
		runtime.NumCPU(), runtime.Version(), nofile, len(b.src), b.batch)
	fmt.Println("| measure | result | goal |")
	fmt.Println("|---|---|---|")
	for _, r := range rows {
		fmt.Printf("| %s | %s | %s |\n", r.name, r.value, r.goal)
	}
	return nil
}

// idleRun opens n connections that each follow one JID (of 1,000), times
// the connects until every one has its first value, and measures the
// server's resident memory per connection, before and after a collection.
func (b *bench) idleRun(ctx context.Context, n int) ([]row, error) {
	srv := b.srv
	if _, err := srv.Call("POST", "/gc"); err != nil {
		return nil, err
	}
	base, err := srv.RSS()
	if err != nil {
		return nil, err
	}
	start := time.Now()
	fleet, err := wsload.Connect(ctx, srv.Addr, n, b.workers, b.src,
		func(i int) string { return "/ws?jid=idle-" + strconv.Itoa(i%1000) + "@example.com" },
		func([]byte) {}, b.batch)
	if err != nil {
		return nil, fmt.Errorf("live: idle connects: %w", err)
	}
	took := time.Since(start)
	hot, err := srv.RSS()
	if err != nil {
		return nil, err
	}
	if _, err := srv.Call("POST", "/gc"); err != nil {
		return nil, err
	}
	settled, err := srv.RSS()
	if err != nil {
		return nil, err
	}
	stats, _ := srv.Call("GET", "/stats")

	fmt.Fprintf(os.Stderr, "idle: %d connections, base RSS %d KiB, after connects %d KiB, after GC %d KiB; runtime %s",
		n, base>>10, hot>>10, settled>>10, stats)
	fleet.Close()
	if err := srv.WaitClosed(ctx); err != nil {
		return nil, err
	}
	per := func(rss int64) string { return fmt.Sprintf("%.1f KiB", float64(rss-base)/float64(n)/1024) }
	return []row{
		{fmt.Sprintf("connect rate, %d connections until all subscribed", n),
			fmt.Sprintf("%.0f /s (%.2f s)", float64(n)/took.Seconds(), took.Seconds()), "-"},
		{fmt.Sprintf("RSS per idle connection at %d, right after connecting", n), per(hot), "-"},
		{fmt.Sprintf("RSS per idle connection at %d, after GC", n), per(settled), "<= 16 KiB"},
	}, nil
}

// fanoutRun subscribes n clients to one JID and changes its presence
// rounds times, one change at a time, timing each delivery from publish
// (inside the server) to receipt (in the client).
func (b *bench) fanoutRun(ctx context.Context, n, rounds int) ([]row, error) {
	srv := b.srv
	jid := "hot-" + strconv.Itoa(n) + "@example.com"
	if _, err := srv.Call("POST", "/publish?jid="+jid); err != nil { // makes the JID visible
		return nil, err
	}
	lat := make([]int64, n*(rounds+1))
	var got atomic.Int64
	roundDone := make(chan struct{}, 1)
	onFrame := func(p []byte) {
		now := time.Now().UnixNano()
		i := bytes.Index(p, []byte(`"message":"t=`))
		if i < 0 {
			return
		}
		p = p[i+len(`"message":"t=`):]
		if j := bytes.IndexByte(p, '"'); j >= 0 {
			p = p[:j]
		}
		t, err := strconv.ParseInt(string(p), 10, 64)
		if err != nil {
			return
		}
		k := got.Add(1)
		if int(k) <= len(lat) {
			lat[k-1] = now - t
		}
		if k%int64(n) == 0 {
			select {
			case roundDone <- struct{}{}:
			default:
			}
		}
	}
	start := time.Now()
	fleet, err := wsload.Connect(ctx, srv.Addr, n, b.workers, b.src,
		func(int) string { return "/ws?jid=" + jid }, onFrame, b.batch)
	if err != nil {
		return nil, fmt.Errorf("live: fan-out connects: %w", err)
	}
	defer fleet.Close()
	fmt.Fprintf(os.Stderr, "fan-out %d: connected in %v; control at %s\n", n, time.Since(start), srv.Control)
	// Round 0 warms up and is not counted.
	var srvCPU, genCPU time.Duration
	for r := 0; r <= rounds; r++ {
		if r == 1 {
			srvCPU, _ = srv.CPU()
			genCPU, _ = wsload.ProcessCPU(os.Getpid())
		}
		if _, err := srv.Call("POST", "/publish?jid="+jid); err != nil {
			return nil, err
		}
		select {
		case <-roundDone:
		case <-time.After(10 * time.Second):
			return nil, fmt.Errorf("live: fan-out %d round %d: %d of %d delivered", n, r, got.Load()-int64(r*n), n)
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	srvEnd, _ := srv.CPU()
	genEnd, _ := wsload.ProcessCPU(os.Getpid())
	perDelivery := func(d time.Duration) string {
		return fmt.Sprintf("%.1f µs", float64(d.Microseconds())/float64(n*rounds))
	}
	samples := slices.Clone(lat[n:])
	slices.Sort(samples)
	q := func(p float64) string {
		return fmt.Sprintf("%.1f ms", float64(samples[int(p*float64(len(samples)-1))])/1e6)
	}
	name := fmt.Sprintf("fan-out to %d subscribers of one JID, publish to receipt", n)
	goal := "-"
	if n >= 10000 {
		goal = "p99 <= 100 ms"
	}
	fleet.Close()
	if err := srv.WaitClosed(ctx); err != nil {
		return nil, err
	}
	return []row{
		{name, fmt.Sprintf("p50 %s, p99 %s, max %s (%d samples)", q(0.5), q(0.99), q(1), len(samples)), goal},
		{fmt.Sprintf("CPU per delivery at %d: server, load generator", n),
			perDelivery(srvEnd-srvCPU) + ", " + perDelivery(genEnd-genCPU), "-"},
	}, nil
}
