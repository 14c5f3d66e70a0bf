package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"badges/bench/wsload"
	"badges/internal/testenv"
)

// Goals of the write comparison (see docs/PERFORMANCE.md).
const (
	goalOfRedis  = 0.25 // durable PUTs/s relative to Redis's durable SETs/s
	goalWriteP99 = 10 * time.Millisecond
)

// writeLoad is the shape of the write comparison.
type writeLoad struct {
	writers  int
	duration time.Duration
	warmup   time.Duration
	rounds   int
	profile  string // write a CPU profile of badges under load here; empty: none
}

// writeSide is one server of the write comparison: how to measure it
// once, and its measured runs.
type writeSide struct {
	name string
	run  func() (writeResult, error)
	runs []writeResult
}

// writeResult is one measured run of a side.
type writeResult struct {
	rps      float64
	p50, p99 time.Duration
	requests int
	cpu      time.Duration // the server's CPU time during the run
	loadCPU  time.Duration // the load generator's, where it runs in this process
}

// writeCompare measures durable writes side by side: PUT /api/v1/presence
// on the badges binary, from l.writers connections each on its own loopback
// address, and SET on redis-server with appendfsync always, driven by
// redis-benchmark with as many clients; and, as the floor of an HTTP write
// here, the same PUTs answered by a bare net/http handler. Each round
// starts with another of the three.
func writeCompare(ctx context.Context, l writeLoad) ([]row, error) {
	for _, p := range []string{"redis-server", "redis-benchmark"} {
		if _, err := exec.LookPath(p); err != nil {
			return nil, fmt.Errorf("%s is not installed (apt-get install redis-server redis-tools)", p)
		}
	}
	dir, err := os.MkdirTemp("", "bench-writes-")
	if err != nil {
		return nil, fmt.Errorf("writes: %w", err)
	}
	defer os.RemoveAll(dir)
	var flags, env []string
	pprofAddr := ""
	if l.profile != "" {
		ports, err := testenv.FreePorts(1)
		if err != nil {
			return nil, err
		}
		pprofAddr = net.JoinHostPort("127.0.0.1", strconv.Itoa(ports[0]))
		flags, env = []string{"-tags", "pprof"}, []string{"BADGES_PPROF_ADDR=" + pprofAddr}
	}
	bin, err := build(ctx, dir, "./cmd/badges", flags...)
	if err != nil {
		return nil, err
	}
	bareBin, err := build(ctx, dir, "./bench/cmd/bareserver")
	if err != nil {
		return nil, err
	}
	// The write limit is per client; raised so that it admits everything,
	// while it is still checked on every request.
	b, err := startBadges(ctx, bin, dir, env, "-write-rate", "1000000", "-write-burst", "1000000")
	if err != nil {
		return nil, err
	}
	defer b.stop()
	redis, err := startRedis(ctx, dir)
	if err != nil {
		return nil, err
	}
	defer redis.stop()
	// The floor of an HTTP write on this machine: a bare net/http handler
	// that reads the body and answers with the bytes and headers of a
	// writer's presence, as badges answers its PUT.
	if _, err := putLoad(ctx, b, 1, 100*time.Millisecond); err != nil {
		return nil, err
	}
	bare, err := startBare(ctx, bareBin, "http://"+b.addr+"/api/v1/presence/"+writerJID(0))
	if err != nil {
		return nil, err
	}
	defer bare.stop()

	redisN := 200000
	badges := &writeSide{name: "badges PUT", run: func() (writeResult, error) {
		if l.warmup > 0 {
			if _, err := putLoad(ctx, b, l.writers, l.warmup); err != nil {
				return writeResult{}, err
			}
		}
		return putLoad(ctx, b, l.writers, l.duration)
	}}
	redisSide := &writeSide{name: "redis SET", run: func() (writeResult, error) {
		r, err := redisBenchmark(ctx, redis, l.writers, redisN)
		if err == nil { // size the next run to last about as long as the others
			redisN = max(10000, int(r.rps*l.duration.Seconds()))
		}
		return r, err
	}}
	bareSide := &writeSide{name: "bare PUT", run: func() (writeResult, error) {
		return putLoad(ctx, bare, l.writers, l.duration)
	}}
	sides := []*writeSide{badges, redisSide, bareSide}
	for i := range l.rounds {
		for j := range sides {
			side := sides[(i+j)%len(sides)]
			r, err := side.run()
			if err != nil {
				return nil, err
			}
			fmt.Fprintf(os.Stderr, "round %d: %s: %.0f/s, p50 %s, p99 %s\n", i+1, side.name, r.rps, r.p50, r.p99)
			side.runs = append(side.runs, r)
		}
	}
	if l.profile != "" {
		if err := profileWrites(ctx, b, l, pprofAddr); err != nil {
			return nil, err
		}
	}

	writeRate := func(r writeResult) float64 { return r.rps }
	badgesRuns, redisRuns, bareRuns := badges.runs, redisSide.runs, bareSide.runs
	bm, rm, fm := median(badgesRuns, writeRate), median(redisRuns, writeRate), median(bareRuns, writeRate)
	ratio := bm.rps / rm.rps
	return []row{
		{name: fmt.Sprintf("writes: badges `PUT /api/v1/presence/{jid}`, %d writers on %d loopback addresses", l.writers, l.writers),
			value: describeWrites(bm, badgesRuns),
			goal: fmt.Sprintf("≥ %.0f%% of Redis: %.0f%%, %s; p99 < %s: %s", goalOfRedis*100, 100*ratio,
				met(ratio >= goalOfRedis), goalWriteP99, met(bm.p99 < goalWriteP99))},
		{name: fmt.Sprintf("writes: redis-server appendfsync always, `redis-benchmark -c %d -t set`", l.writers),
			value: describeWrites(rm, redisRuns), goal: "-"},
		{name: "writes: bare net/http handler reading the body, same answer, same writers",
			value: describeWrites(fm, bareRuns), goal: fmt.Sprintf("badges: %.0f%% of this", 100*bm.rps/fm.rps)},
	}, nil
}

func describeWrites(m writeResult, runs []writeResult) string {
	var each []string
	for _, r := range runs {
		each = append(each, fmt.Sprintf("%.0f", r.rps))
	}
	s := fmt.Sprintf("%.0f writes/s, p50 %s, p99 %s", m.rps, round(m.p50), round(m.p99))
	perWrite := func(d time.Duration) float64 { return float64(d.Microseconds()) / float64(max(m.requests, 1)) }
	if m.cpu > 0 {
		s += fmt.Sprintf(", server CPU %.1f µs/write", perWrite(m.cpu))
	}
	if m.loadCPU > 0 {
		s += fmt.Sprintf(", load generator CPU %.1f µs/write", perWrite(m.loadCPU))
	}
	return s + fmt.Sprintf(" (rounds: %s /s)", strings.Join(each, ", "))
}

// putLoad runs writers connections, each from its own loopback address
// (127.0.2.1 on) and pushing the presence of a JID of its own, each PUT
// sent once the previous one was answered, for d; every answer must be a
// 200, which badges gives only once the write is on disk.
func putLoad(ctx context.Context, s *server, writers int, d time.Duration) (writeResult, error) {
	before, err := wsload.ProcessCPU(s.cmd.Process.Pid)
	if err != nil {
		return writeResult{}, err
	}
	selfBefore, err := wsload.ProcessCPU(os.Getpid())
	if err != nil {
		return writeResult{}, err
	}
	ctx, cancel := context.WithTimeout(ctx, d)
	defer cancel()
	lat := make([][]time.Duration, writers)
	errs := make([]error, writers)
	var wg sync.WaitGroup
	start := time.Now()
	for w := range writers {
		wg.Go(func() { lat[w], errs[w] = putWriter(ctx, s.addr, w) })
	}
	wg.Wait()
	elapsed := time.Since(start)
	after, err := wsload.ProcessCPU(s.cmd.Process.Pid)
	if err != nil {
		return writeResult{}, err
	}
	selfAfter, err := wsload.ProcessCPU(os.Getpid())
	if err != nil {
		return writeResult{}, err
	}
	var all []time.Duration
	for w := range writers {
		if errs[w] != nil {
			return writeResult{}, errs[w]
		}
		all = append(all, lat[w]...)
	}
	if len(all) == 0 {
		return writeResult{}, fmt.Errorf("no write answered in %s", d)
	}
	slices.Sort(all)
	return writeResult{rps: float64(len(all)) / elapsed.Seconds(), requests: len(all),
		p50: all[len(all)/2], p99: all[len(all)*99/100], cpu: after - before, loadCPU: selfAfter - selfBefore}, nil
}

// putWriter is one writer of putLoad: one keep-alive connection, requests
// written by hand and answers read by hand (readAnswer), until ctx ends.
// Both are kept lean, as redis-benchmark is, so that the load generator,
// which shares the machine's cores with the server, takes as little of
// them as it can.
func putWriter(ctx context.Context, addr string, w int) ([]time.Duration, error) {
	ip := net.IPv4(127, 0, byte(2+w/250), byte(1+w%250))
	dialer := net.Dialer{LocalAddr: &net.TCPAddr{IP: ip}, Timeout: 5 * time.Second}
	conn, err := dialer.DialContext(ctx, "tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("writer %d: %w", w, err)
	}
	defer conn.Close()
	stop := context.AfterFunc(ctx, func() { _ = conn.SetDeadline(time.Now()) })
	defer stop()
	br := bufio.NewReader(conn)
	head := fmt.Sprintf("PUT /api/v1/presence/%s HTTP/1.1\r\nHost: %s\r\nAuthorization: Bearer %s\r\n"+
		"Content-Type: application/json\r\nContent-Length: ", writerJID(w), addr, apiKey)
	var lat []time.Duration
	var req, body []byte
	for i := 0; ; i++ {
		body = strconv.AppendInt(append(body[:0], `{"status":"away","message":"write `...), int64(i), 10)
		body = append(body, `","ttl":3600}`...)
		req = strconv.AppendInt(append(req[:0], head...), int64(len(body)), 10)
		req = append(append(req, "\r\n\r\n"...), body...)
		t0 := time.Now()
		if _, err := conn.Write(req); err != nil {
			if ctx.Err() != nil {
				return lat, nil
			}
			return lat, fmt.Errorf("writer %d: %w", w, err)
		}
		code, err := readAnswer(br)
		if err != nil {
			if ctx.Err() != nil {
				return lat, nil
			}
			return lat, fmt.Errorf("writer %d: %w", w, err)
		}
		if code != http.StatusOK {
			return lat, fmt.Errorf("writer %d: PUT answered %d", w, code)
		}
		lat = append(lat, time.Since(t0))
	}
}

// writerJID is the JID writer w pushes.
func writerJID(w int) string { return fmt.Sprintf("writer%03d@example.com", w) }

// readAnswer reads one HTTP/1.1 answer with a Content-Length from br, body
// included, and returns its status code.
func readAnswer(br *bufio.Reader) (int, error) {
	line, err := br.ReadSlice('\n')
	if err != nil {
		return 0, err
	}
	// "HTTP/1.1 200 OK\r\n"
	if len(line) < 12 || !bytes.HasPrefix(line, []byte("HTTP/1.1 ")) {
		return 0, fmt.Errorf("bad status line %q", line)
	}
	code, err := strconv.Atoi(string(line[9:12]))
	if err != nil {
		return 0, fmt.Errorf("bad status line %q", line)
	}
	length := -1
	for {
		line, err = br.ReadSlice('\n')
		if err != nil {
			return 0, err
		}
		if len(line) <= 2 { // the empty line ending the header
			break
		}
		if name, value, ok := bytes.Cut(line, []byte(":")); ok && bytes.EqualFold(name, []byte("Content-Length")) {
			if length, err = strconv.Atoi(string(bytes.TrimSpace(value))); err != nil {
				return 0, fmt.Errorf("bad Content-Length %q", value)
			}
		}
	}
	if length < 0 {
		return 0, errors.New("answer without a Content-Length")
	}
	if _, err := br.Discard(length); err != nil {
		return 0, err
	}
	return code, nil
}

// startRedis runs Debian's redis-server on a free loopback port, in dir,
// with an append-only file synced before every acknowledgement.
func startRedis(ctx context.Context, dir string) (*server, error) {
	ports, err := testenv.FreePorts(1)
	if err != nil {
		return nil, err
	}
	rdir := filepath.Join(dir, "redis")
	if err := os.MkdirAll(rdir, 0o700); err != nil {
		return nil, err
	}
	port := strconv.Itoa(ports[0])
	cmd := exec.Command("redis-server", "--port", port, "--bind", "127.0.0.1", "--dir", rdir,
		"--appendonly", "yes", "--appendfsync", "always", "--save", "", "--daemonize", "no",
		"--logfile", filepath.Join(rdir, "redis.log"))
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("redis-server: start: %w", err)
	}
	s := &server{name: "redis", cmd: cmd, addr: net.JoinHostPort("127.0.0.1", port)}
	deadline := time.Now().Add(startTimeout)
	for {
		if err := redisPing(s.addr); err == nil {
			return s, nil
		} else if time.Now().After(deadline) || ctx.Err() != nil {
			s.stop()
			return nil, fmt.Errorf("redis-server not ready: %v", err)
		}
		time.Sleep(pollEvery)
	}
}

func redisPing(addr string) error {
	c, err := net.DialTimeout("tcp", addr, time.Second)
	if err != nil {
		return err
	}
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(time.Second))
	if _, err := c.Write([]byte("PING\r\n")); err != nil {
		return err
	}
	line, err := bufio.NewReader(c).ReadString('\n')
	if err != nil {
		return err
	}
	if line != "+PONG\r\n" {
		return fmt.Errorf("PING answered %q", line)
	}
	return nil
}

// redisBenchmark runs redis-benchmark -c clients -t set -n n against s and
// reads its CSV report.
func redisBenchmark(ctx context.Context, s *server, clients, n int) (writeResult, error) {
	before, err := wsload.ProcessCPU(s.cmd.Process.Pid)
	if err != nil {
		return writeResult{}, err
	}
	host, port, _ := net.SplitHostPort(s.addr)
	ctx, cancel := context.WithTimeout(ctx, 5*time.Minute)
	defer cancel()
	out, err := exec.CommandContext(ctx, "redis-benchmark", "-h", host, "-p", port, "-c", strconv.Itoa(clients),
		"-t", "set", "-n", strconv.Itoa(n), "--csv").Output()
	if err != nil {
		return writeResult{}, fmt.Errorf("redis-benchmark: %w", err)
	}
	after, err := wsload.ProcessCPU(s.cmd.Process.Pid)
	if err != nil {
		return writeResult{}, err
	}
	r, err := parseRedisCSV(out)
	if err != nil {
		return r, fmt.Errorf("redis-benchmark: %w\n%s", err, out)
	}
	r.requests, r.cpu = n, after-before
	return r, nil
}

// parseRedisCSV reads the SET line of redis-benchmark --csv: requests/s and
// latency percentiles in milliseconds, by the names of the header.
func parseRedisCSV(out []byte) (writeResult, error) {
	recs, err := csv.NewReader(bytes.NewReader(out)).ReadAll()
	if err != nil {
		return writeResult{}, err
	}
	if len(recs) < 2 {
		return writeResult{}, fmt.Errorf("no result line")
	}
	col := func(rec []string, name string) (float64, error) {
		i := slices.Index(recs[0], name)
		if i < 0 || i >= len(rec) {
			return 0, fmt.Errorf("no column %q", name)
		}
		return strconv.ParseFloat(rec[i], 64)
	}
	for _, rec := range recs[1:] {
		if len(rec) == 0 || rec[0] != "SET" {
			continue
		}
		rps, err1 := col(rec, "rps")
		p50, err2 := col(rec, "p50_latency_ms")
		p99, err3 := col(rec, "p99_latency_ms")
		if err1 != nil || err2 != nil || err3 != nil {
			return writeResult{}, fmt.Errorf("SET line %v: %v %v %v", rec, err1, err2, err3)
		}
		ms := func(f float64) time.Duration { return time.Duration(f * float64(time.Millisecond)) }
		return writeResult{rps: rps, p50: ms(p50), p99: ms(p99)}, nil
	}
	return writeResult{}, fmt.Errorf("no SET line")
}

// profileWrites takes a CPU profile of badges over one more run of the
// write load and writes it to l.profile (go tool pprof reads it).
func profileWrites(ctx context.Context, b *server, l writeLoad, pprofAddr string) error {
	secs := max(1, int(l.duration.Seconds()))
	type got struct {
		body []byte
		err  error
	}
	done := make(chan got, 1)
	go func() {
		res, err := http.Get(fmt.Sprintf("http://%s/debug/pprof/profile?seconds=%d", pprofAddr, secs))
		if err != nil {
			done <- got{err: err}
			return
		}
		defer res.Body.Close()
		body, err := io.ReadAll(res.Body)
		if err == nil && res.StatusCode != http.StatusOK {
			err = fmt.Errorf("profile: %s", res.Status)
		}
		done <- got{body, err}
	}()
	r, err := putLoad(ctx, b, l.writers, l.duration)
	if err != nil {
		return err
	}
	fmt.Fprintf(os.Stderr, "profiled run: badges PUT: %.0f/s, p50 %s, p99 %s\n", r.rps, r.p50, r.p99)
	g := <-done
	if g.err != nil {
		return fmt.Errorf("profile: %w", g.err)
	}
	if err := os.WriteFile(l.profile, g.body, 0o644); err != nil {
		return fmt.Errorf("profile: %w", err)
	}
	fmt.Fprintf(os.Stderr, "CPU profile of badges: %s (go tool pprof -top %s)\n", l.profile, l.profile)
	return nil
}
