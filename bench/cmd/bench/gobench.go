package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strconv"
	"strings"
)

// goBench runs the Go benchmarks of ./bench (render, hub, HTTP handler)
// and returns one row per benchmark. go test's own output goes to stderr
// as it comes, to show progress.
func goBench(ctx context.Context, pattern, benchtime string) ([]row, error) {
	cmd := exec.CommandContext(ctx, "go", "test", "./bench", "-run", "^$", "-bench", pattern,
		"-benchmem", "-benchtime", benchtime, "-timeout", "30m")
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, fmt.Errorf("go test: %w", err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("go test: %w", err)
	}
	rows := parseGoBench(io.TeeReader(out, os.Stderr))
	if err := cmd.Wait(); err != nil {
		return rows, fmt.Errorf("go test ./bench: %w", err)
	}
	return rows, nil
}

// parseGoBench reads "BenchmarkName-2  N  v unit  v unit..." lines.
func parseGoBench(r io.Reader) []row {
	var rows []row
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) < 4 || !strings.HasPrefix(f[0], "Benchmark") {
			continue
		}
		name := strings.TrimPrefix(f[0], "Benchmark")
		if i := strings.LastIndexByte(name, '-'); i > 0 {
			if _, err := strconv.Atoi(name[i+1:]); err == nil {
				name = name[:i] // the GOMAXPROCS suffix
			}
		}
		var vals []string
		for i := 2; i+1 < len(f); i += 2 {
			vals = append(vals, formatMetric(f[i], f[i+1]))
		}
		rows = append(rows, row{name: "go: " + name, value: strings.Join(vals, ", "), goal: "-"})
	}
	return rows
}

// formatMetric writes ns/op in a readable unit and leaves others as they are.
func formatMetric(v, unit string) string {
	f, err := strconv.ParseFloat(v, 64)
	if err != nil || unit != "ns/op" {
		return v + " " + unit
	}
	switch {
	case f >= 1e6:
		return fmt.Sprintf("%.2f ms/op", f/1e6)
	case f >= 1e3:
		return fmt.Sprintf("%.2f µs/op", f/1e3)
	}
	return fmt.Sprintf("%.0f ns/op", f)
}
