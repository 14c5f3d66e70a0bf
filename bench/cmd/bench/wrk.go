package main

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"os/exec"
	"strconv"
	"strings"
	"time"

	"badges/bench/wsload"
)

// load is one wrk run's shape.
type load struct {
	duration time.Duration
	conns    int
	threads  int
}

// wrkResult is what one wrk run measured.
type wrkResult struct {
	rps      float64
	p50, p99 time.Duration
	requests int
	bad      int           // non-2xx/3xx answers and socket errors
	cpu      time.Duration // the server's CPU time during the run
}

// runWrk loads url for l.duration and reads the server's (pid's) CPU time
// around it.
func runWrk(ctx context.Context, url string, pid int, l load) (wrkResult, error) {
	before, err := wsload.ProcessCPU(pid)
	if err != nil {
		return wrkResult{}, err
	}
	// wrk stops by itself; the context only guards against a hang.
	ctx, cancel := context.WithTimeout(ctx, l.duration+30*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, "wrk", "--latency", "-t", strconv.Itoa(l.threads),
		"-c", strconv.Itoa(l.conns), "-d", strconv.Itoa(int(l.duration.Seconds()))+"s", url).Output()
	if err != nil {
		return wrkResult{}, fmt.Errorf("wrk %s: %w", url, err)
	}
	after, err := wsload.ProcessCPU(pid)
	if err != nil {
		return wrkResult{}, err
	}
	r, err := parseWrk(out)
	if err != nil {
		return r, fmt.Errorf("wrk %s: %w\n%s", url, err, out)
	}
	r.cpu = after - before
	return r, nil
}

// parseWrk reads wrk's --latency report.
func parseWrk(out []byte) (wrkResult, error) {
	var r wrkResult
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		switch {
		case len(f) == 2 && f[0] == "Requests/sec:":
			r.rps, _ = strconv.ParseFloat(f[1], 64)
		case len(f) == 2 && f[0] == "50%":
			r.p50, _ = parseWrkDuration(f[1])
		case len(f) == 2 && f[0] == "99%":
			r.p99, _ = parseWrkDuration(f[1])
		case len(f) >= 3 && f[1] == "requests" && f[2] == "in":
			r.requests, _ = strconv.Atoi(f[0])
		case len(f) >= 5 && f[0] == "Non-2xx":
			n, _ := strconv.Atoi(f[len(f)-1])
			r.bad += n
		case len(f) > 2 && f[0] == "Socket" && f[1] == "errors:":
			// "Socket errors: connect 0, read 0, write 0, timeout 0"
			for _, v := range f[2:] {
				n, err := strconv.Atoi(strings.TrimSuffix(v, ","))
				if err == nil {
					r.bad += n
				}
			}
		}
	}
	if r.rps == 0 || r.p99 == 0 {
		return r, fmt.Errorf("no Requests/sec or 99%% line")
	}
	return r, nil
}

// parseWrkDuration reads wrk's "812.00us", "1.23ms" or "2.01s".
func parseWrkDuration(s string) (time.Duration, error) {
	for _, u := range []struct {
		suffix string
		unit   time.Duration
	}{{"us", time.Microsecond}, {"ms", time.Millisecond}, {"m", time.Minute}, {"s", time.Second}} {
		if v, ok := strings.CutSuffix(s, u.suffix); ok {
			f, err := strconv.ParseFloat(v, 64)
			if err != nil {
				return 0, fmt.Errorf("wrk duration %q: %w", s, err)
			}
			return time.Duration(f * float64(u.unit)), nil
		}
	}
	return 0, fmt.Errorf("wrk duration %q: unknown unit", s)
}
