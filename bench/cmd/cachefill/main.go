// Command cachefill measures what a stream of distinct image requests does
// to the badges process's resident memory (docs/PERFORMANCE.md, Memory):
// it builds and starts the real binary with -cache-bytes, sends -n PNG
// badge requests that differ only in their label, each one rendered and
// cached on its own, and reports the resident set before and after. The
// caches are bounded in bytes (docs/API.md#errors-and-limits), so the
// growth must stay within the budget plus a fixed allowance for the
// runtime's heap headroom and rendering buffers; it exits 1 otherwise.
//
//	go run ./bench/cmd/cachefill -n 13300 -cache-bytes 16MiB
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"badges/internal/testenv"
)

const (
	apiKey       = "BenchKey0123456789abcdef"
	jid          = "alice@example.com"
	startTimeout = 15 * time.Second
	labelRunes   = 100 // the longest label a badge draws
)

func main() {
	n := flag.Int("n", 13300, "distinct image requests to send")
	cacheBytes := flag.String("cache-bytes", "16MiB", "the server's -cache-bytes (empty: leave it unset)")
	budget := flag.Int64("budget", 16<<20, "bytes the caches may hold, for the check")
	allowance := flag.Int64("allowance", 48<<20, "bytes of growth allowed beyond the budget: heap headroom, rendering buffers")
	workers := flag.Int("c", 4, "requests in flight")
	bin := flag.String("bin", "", "a built badges binary (default: build ./cmd/badges)")
	flag.Parse()
	if err := run(*n, *cacheBytes, *budget, *allowance, *workers, *bin); err != nil {
		fmt.Fprintln(os.Stderr, "cachefill:", err)
		os.Exit(1)
	}
}

func run(n int, cacheBytes string, budget, allowance int64, workers int, bin string) error {
	ctx := context.Background()
	dir, err := os.MkdirTemp("", "badges-cachefill-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	if bin == "" {
		bin = filepath.Join(dir, "badges")
		if out, err := exec.Command("go", "build", "-o", bin, "badges/cmd/badges").CombinedOutput(); err != nil {
			return fmt.Errorf("build: %w\n%s", err, out)
		}
	}
	ports, err := testenv.FreePorts(1)
	if err != nil {
		return err
	}
	addr := net.JoinHostPort("127.0.0.1", strconv.Itoa(ports[0]))
	args := []string{"serve", "-listen", addr, "-data", filepath.Join(dir, "data"), "-api-keys", apiKey, "-log-level", "warn"}
	if cacheBytes != "" {
		args = append(args, "-cache-bytes", cacheBytes)
	}
	cmd := exec.Command(bin, args...)
	cmd.Env = testenv.CleanEnv()
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		return err
	}
	defer func() {
		cmd.Process.Kill()
		cmd.Wait()
	}()
	base := "http://" + addr
	client := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: workers}}
	if err := waitHealthy(ctx, client, base); err != nil {
		return err
	}
	req, _ := http.NewRequest("PUT", base+"/api/v1/presence/"+jid, strings.NewReader(`{"status":"dnd","message":"In a meeting","ttl":86400}`))
	req.Header.Set("Authorization", "Bearer "+apiKey)
	if err := fetch(client, req); err != nil {
		return err
	}
	// Warm up: the fonts, the routes, the first images.
	for i := range 50 {
		if err := get(client, base, -1-i); err != nil {
			return err
		}
	}
	before, err := rss(cmd.Process.Pid)
	if err != nil {
		return err
	}
	start := time.Now()
	var next atomic.Int64
	var wg sync.WaitGroup
	errs := make(chan error, workers)
	for range workers {
		wg.Go(func() {
			for i := int(next.Add(1)) - 1; i < n; i = int(next.Add(1)) - 1 {
				if err := get(client, base, i); err != nil {
					errs <- err
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	if err := <-errs; err != nil {
		return err
	}
	elapsed := time.Since(start)
	after, err := rss(cmd.Process.Pid)
	if err != nil {
		return err
	}
	growth := after - before
	fmt.Printf("cachefill: %d distinct PNG badges (scale 3, %d-rune labels) in %s, -cache-bytes %q\n", n, labelRunes, elapsed.Round(time.Millisecond), cacheBytes)
	fmt.Printf("cachefill: resident memory %.1f MiB before, %.1f MiB after: growth %.1f MiB (budget %.0f MiB + allowance %.0f MiB)\n",
		mib(before), mib(after), mib(growth), mib(budget), mib(allowance))
	if growth > budget+allowance {
		return fmt.Errorf("growth %.1f MiB exceeds the budget plus the allowance", mib(growth))
	}
	return nil
}

// get asks for badge i: its own label, so its own image.
func get(client *http.Client, base string, i int) error {
	r := rand.New(rand.NewPCG(uint64(i), 7))
	label := make([]byte, labelRunes)
	for j := range label {
		label[j] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"[r.IntN(62)]
	}
	req, err := http.NewRequest("GET", base+"/badge/"+jid+".png?scale=3&message=text&label="+string(label), nil)
	if err != nil {
		return err
	}
	return fetch(client, req)
}

func fetch(client *http.Client, req *http.Request) error {
	res, err := client.Do(req)
	if err != nil {
		return err
	}
	defer res.Body.Close()
	if _, err := io.Copy(io.Discard, res.Body); err != nil {
		return err
	}
	if res.StatusCode != http.StatusOK {
		return fmt.Errorf("%s %s: %s", req.Method, req.URL.Path, res.Status)
	}
	return nil
}

func waitHealthy(ctx context.Context, client *http.Client, base string) error {
	deadline := time.Now().Add(startTimeout)
	for time.Now().Before(deadline) {
		req, _ := http.NewRequestWithContext(ctx, "GET", base+"/healthz", nil)
		if fetch(client, req) == nil {
			return nil
		}
		time.Sleep(20 * time.Millisecond)
	}
	return errors.New("badges did not become healthy")
}

// rss is a process's resident memory in bytes (VmRSS).
func rss(pid int) (int64, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, err
	}
	for line := range strings.Lines(string(b)) {
		if v, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			kb, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
			return kb << 10, err
		}
	}
	return 0, fmt.Errorf("no VmRSS for pid %d", pid)
}

func mib(b int64) float64 { return float64(b) / (1 << 20) }
