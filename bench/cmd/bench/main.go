// Command bench runs the project's benchmarks and prints one table (see
// docs/PERFORMANCE.md): the Go benchmarks of ./bench (rendering, hub, HTTP
// handler), then the HTTP comparison under wrk of a cached badge on the
// real badges binary, a bare net/http handler serving the same bytes, and
// Prosody's mod_webpresence, then durable writes side by side with Redis
// (writes.go). Then it runs the live (WebSocket) benchmarks, which print
// their own table. Run it from the repository root:
//
//	go run ./bench/cmd/bench [-rounds 5] [-duration 10s] [-live=false] [-group=false]
//	go run ./bench/cmd/bench -bench '' -http=false -live=false   # the writes alone
package main

import (
	"context"
	"flag"
	"fmt"
	"log"
	"os"
	"os/exec"
	"runtime"
	"strings"
	"time"
)

// badgesEnv is added to the environment of every badges server started
// (-badges-env).
var badgesEnv []string

// row is one line of the table.
type row struct{ name, value, goal string }

func main() {
	gobench := flag.String("bench", ".", "Go benchmarks to run (go test -bench); empty: none")
	benchtime := flag.String("benchtime", "1s", "go test -benchtime")
	httpRun := flag.Bool("http", true, "run the HTTP comparison")
	prosody := flag.Bool("prosody", true, "include Prosody's mod_webpresence in the HTTP comparison")
	group := flag.Bool("group", true, "include a roster group's badge (members in a real Prosody) in the HTTP comparison")
	duration := flag.Duration("duration", 10*time.Second, "length of each measured wrk run")
	warmup := flag.Duration("warmup", 2*time.Second, "unmeasured wrk run before each measured one")
	conns := flag.Int("connections", 64, "wrk connections")
	threads := flag.Int("threads", 2, "wrk threads")
	rounds := flag.Int("rounds", 5, "measured runs per server; the table shows the median")
	live := flag.Bool("live", true, "also run the live benchmarks (go run ./bench/cmd/live)")
	writes := flag.Bool("writes", true, "run the durable write comparison with Redis")
	writers := flag.Int("writers", 64, "concurrent writers of the write comparison")
	writeDuration := flag.Duration("write-duration", 10*time.Second, "length of each measured badges write run")
	writeRounds := flag.Int("write-rounds", 3, "measured write runs per server; the table shows the median")
	writeProfile := flag.String("write-profile", "", "write a CPU profile of badges under the write load to this `file`")
	flag.Func("badges-env", "add `NAME=VALUE` to the environment of the badges server under test (repeatable), e.g. GOGC=400",
		func(v string) error {
			if !strings.Contains(v, "=") {
				return fmt.Errorf("want NAME=VALUE, got %q", v)
			}
			badgesEnv = append(badgesEnv, v)
			return nil
		})
	flag.Parse()

	ctx := context.Background()
	fmt.Fprintf(os.Stderr, "load before: %s\n", loadAverage())
	var rows []row
	if *gobench != "" {
		r, err := goBench(ctx, *gobench, *benchtime)
		if err != nil {
			log.Fatal(err)
		}
		rows = append(rows, r...)
	}
	if *httpRun {
		r, err := httpCompare(ctx, load{duration: *duration, conns: *conns, threads: *threads}, *rounds, *warmup, *prosody, *group)
		if err != nil {
			log.Fatal(err)
		}
		rows = append(rows, r...)
	}
	if *writes {
		r, err := writeCompare(ctx, writeLoad{writers: *writers, duration: *writeDuration, warmup: *warmup,
			rounds: *writeRounds, profile: *writeProfile})
		if err != nil {
			log.Fatal(err)
		}
		rows = append(rows, r...)
	}
	fmt.Printf("\nbenchmarks: %s, %d CPUs, load average %s", runtime.Version(), runtime.NumCPU(), loadAverage())
	if len(badgesEnv) > 0 {
		fmt.Printf("; badges with %s", strings.Join(badgesEnv, " "))
	}
	if *httpRun {
		fmt.Printf("; wrk -t%d -c%d -d%s --latency, median of %d", *threads, *conns, *duration, *rounds)
	}
	if *writes {
		fmt.Printf("; %d writers, %s per run, median of %d", *writers, *writeDuration, *writeRounds)
	}
	fmt.Print("\n\n")
	fmt.Println("| benchmark | result | goal |")
	fmt.Println("|---|---|---|")
	for _, r := range rows {
		fmt.Printf("| %s | %s | %s |\n", r.name, r.value, r.goal)
	}
	if *live {
		cmd := exec.CommandContext(ctx, "go", "run", "./bench/cmd/live")
		cmd.Stdout, cmd.Stderr = os.Stdout, os.Stderr
		if err := cmd.Run(); err != nil {
			log.Fatalf("live benchmarks: %v", err)
		}
	}
}

// loadAverage is the first three fields of /proc/loadavg, as uptime shows them.
func loadAverage() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "unknown"
	}
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return "unknown"
	}
	return strings.Join(f[:3], " ")
}
