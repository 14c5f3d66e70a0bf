package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"time"

	"badges/internal/testenv"
)

// Goals of the HTTP comparison (see docs/PERFORMANCE.md).
const (
	goalOfBare    = 0.90 // cached badge requests/s, relative to the bare handler
	goalOfProsody = 5.0  // and relative to Prosody's mod_webpresence
	goalP99       = 5 * time.Millisecond
)

// target is one server the comparison loads.
type target struct {
	name string
	url  string
	pid  int
	runs []wrkResult
}

// median is the run with the median requests/s.
func (t *target) median() wrkResult {
	return median(t.runs, func(r wrkResult) float64 { return r.rps })
}

// httpCompare starts badges, the bare handler and Prosody, loads each in
// turn for rounds rounds and returns the table rows. withGroup adds the
// badge of a roster group (groupMembers members in a real Prosody) and a
// bare handler serving its bytes.
func httpCompare(ctx context.Context, l load, rounds int, warmup time.Duration, withProsody, withGroup bool) ([]row, error) {
	if _, err := exec.LookPath("wrk"); err != nil {
		return nil, fmt.Errorf("wrk is not installed (apt-get install wrk)")
	}
	dir, err := os.MkdirTemp("", "bench-http-")
	if err != nil {
		return nil, fmt.Errorf("http: %w", err)
	}
	defer os.RemoveAll(dir)
	badgesBin, err := build(ctx, dir, "./cmd/badges")
	if err != nil {
		return nil, err
	}
	bareBin, err := build(ctx, dir, "./bench/cmd/bareserver")
	if err != nil {
		return nil, err
	}
	prog := &testenv.Program{}
	defer prog.Close()
	var group *groupServer
	var xmppFlags []string
	if withGroup {
		if group, err = startGroupProsody(prog); err != nil {
			return nil, err
		}
		xmppFlags = group.flags()
	}
	b, err := startBadges(ctx, badgesBin, dir, nil, xmppFlags...)
	if err != nil {
		return nil, err
	}
	defer b.stop()
	badgeURL := "http://" + b.addr + "/badge/" + badgeJID + ".svg"
	bare, err := startBare(ctx, bareBin, badgeURL)
	if err != nil {
		return nil, err
	}
	defer bare.stop()
	targets := []*target{
		{name: "badges `/badge/{jid}.svg`, cached", url: badgeURL, pid: b.cmd.Process.Pid},
		{name: "bare net/http handler, same bytes and headers", url: "http://" + bare.addr + "/badge/" + badgeJID + ".svg", pid: bare.cmd.Process.Pid},
	}
	var rows []row
	if withProsody {
		url, pid, err := startProsody(ctx, prog, "dnd")
		if err != nil {
			return nil, err
		}
		targets = append(targets, &target{name: "Prosody mod_webpresence `/status/{jid}/image`", url: url, pid: pid})
	}
	groupAt := len(targets)
	if withGroup {
		if err := group.fill(ctx, prog, b.addr); err != nil {
			return nil, err
		}
		groupURL := "http://" + b.addr + "/group/" + groupName + ".svg"
		bareGroup, err := startBare(ctx, bareBin, groupURL)
		if err != nil {
			return nil, err
		}
		defer bareGroup.stop()
		targets = append(targets,
			&target{name: fmt.Sprintf("badges `/group/{group}.svg`, %d members", groupMembers), url: groupURL, pid: b.cmd.Process.Pid},
			&target{name: "bare net/http handler, the group badge's bytes and headers",
				url: "http://" + bareGroup.addr + "/group/" + groupName + ".svg", pid: bareGroup.cmd.Process.Pid})
	}

	for i := range rounds {
		// Each round starts with another server, so that none is always
		// measured right after the same neighbour.
		for j := range targets {
			t := targets[(i+j)%len(targets)]
			if warmup > 0 {
				if _, err := runWrk(ctx, t.url, t.pid, load{duration: warmup, conns: l.conns, threads: l.threads}); err != nil {
					return nil, err
				}
			}
			r, err := runWrk(ctx, t.url, t.pid, l)
			if err != nil {
				return nil, err
			}
			fmt.Fprintf(os.Stderr, "round %d: %s: %.0f req/s, p50 %s, p99 %s, %d bad\n", i+1, t.name, r.rps, r.p50, r.p99, r.bad)
			t.runs = append(t.runs, r)
		}
	}

	badge, ceiling := targets[0].median(), targets[1].median()
	for k, t := range targets {
		m := t.median()
		goal := "-"
		switch k {
		case 0:
			goal = fmt.Sprintf("≥ %.0f%% of bare: %.0f%%, %s (CPU per request %.0f%% of bare's); p99 < %s: %s",
				goalOfBare*100, 100*m.rps/ceiling.rps, met(m.rps >= goalOfBare*ceiling.rps),
				100*cpuPerRequest(m)/cpuPerRequest(ceiling), goalP99, met(m.p99 < goalP99))
		case groupAt:
			bare := targets[groupAt+1].median()
			goal = fmt.Sprintf("%.0f%% of its bare (CPU per request %.0f%% of bare's)",
				100*m.rps/bare.rps, 100*cpuPerRequest(m)/cpuPerRequest(bare))
		case 2:
			if withProsody {
				goal = fmt.Sprintf("badges ≥ %.0f× this: %.1f×, %s", goalOfProsody, badge.rps/m.rps, met(badge.rps >= goalOfProsody*m.rps))
			}
		}
		rows = append(rows, row{name: "http: " + t.name, value: describe(t, m), goal: goal})
	}
	return rows, nil
}

// describe writes a target's median run and every round's requests/s.
func describe(t *target, m wrkResult) string {
	var each []string
	for _, r := range t.runs {
		each = append(each, fmt.Sprintf("%.0f", r.rps))
	}
	s := fmt.Sprintf("%.0f req/s, p50 %s, p99 %s, server CPU %.1f µs/req (rounds: %s req/s)",
		m.rps, round(m.p50), round(m.p99), cpuPerRequest(m), strings.Join(each, ", "))
	if m.bad > 0 {
		s += fmt.Sprintf(", %d errors", m.bad)
	}
	return s
}

// cpuPerRequest is the server's CPU time per answered request in µs: less
// sensitive than requests/s to what else the machine runs.
func cpuPerRequest(r wrkResult) float64 {
	return float64(r.cpu.Microseconds()) / float64(max(r.requests, 1))
}

func round(d time.Duration) time.Duration {
	if d >= time.Millisecond {
		return d.Round(10 * time.Microsecond)
	}
	return d.Round(time.Microsecond)
}

func met(ok bool) string {
	if ok {
		return "met"
	}
	return "**not met**"
}
