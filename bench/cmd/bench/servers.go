package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"badges/internal/testenv"
)

// Time bounds of the servers' life cycle on a busy machine.
const (
	buildTimeout = 5 * time.Minute
	startTimeout = 15 * time.Second
	stopTimeout  = 10 * time.Second // badges' own shutdown budget (docs/API.md#operations)
	pollEvery    = 20 * time.Millisecond
)

// The badges server under test: one API key, one visible JID whose
// presence is pushed over HTTP for longer than any run.
const (
	apiKey   = "BenchKey0123456789abcdef"
	badgeJID = "alice@example.com"
)

// server is a process serving HTTP on addr.
type server struct {
	name string
	cmd  *exec.Cmd
	addr string
}

// build compiles pkg into dir, with the build flags given, and returns the
// binary's path.
func build(ctx context.Context, dir, pkg string, flags ...string) (string, error) {
	bin := filepath.Join(dir, filepath.Base(pkg))
	ctx, cancel := context.WithTimeout(ctx, buildTimeout)
	defer cancel()
	args := append(append([]string{"build"}, flags...), "-o", bin, pkg)
	if out, err := exec.CommandContext(ctx, "go", args...).CombinedOutput(); err != nil {
		return "", fmt.Errorf("build %s: %w\n%s", pkg, err, out)
	}
	return bin, nil
}

// startBadges runs `badges serve` on a free loopback port with its data in
// dir and the extra flags, waits until it is healthy and pushes badgeJID's
// presence. badgesEnv and env are added to its environment.
func startBadges(ctx context.Context, bin, dir string, env []string, extra ...string) (*server, error) {
	ports, err := testenv.FreePorts(1)
	if err != nil {
		return nil, err
	}
	addr := net.JoinHostPort("127.0.0.1", strconv.Itoa(ports[0]))
	args := append([]string{"serve", "-listen", addr, "-data", filepath.Join(dir, "data"),
		"-api-keys", apiKey, "-log-level", "warn"}, extra...)
	cmd := exec.Command(bin, args...)
	cmd.Env = append(append(testenv.CleanEnv(), badgesEnv...), env...)
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("badges: start: %w", err)
	}
	s := &server{name: "badges", cmd: cmd, addr: addr}
	if err := waitHTTP(ctx, "http://"+addr+"/healthz"); err != nil {
		s.stop()
		return nil, fmt.Errorf("badges: %w", err)
	}
	req, err := http.NewRequestWithContext(ctx, "PUT", "http://"+addr+"/api/v1/presence/"+badgeJID,
		strings.NewReader(`{"status":"dnd","message":"In a meeting","ttl":86400}`))
	if err != nil {
		s.stop()
		return nil, fmt.Errorf("badges: %w", err)
	}
	req.Header.Set("Authorization", "Bearer "+apiKey)
	res, err := http.DefaultClient.Do(req)
	if err == nil {
		_, _ = io.Copy(io.Discard, res.Body)
		res.Body.Close()
		if res.StatusCode != http.StatusOK {
			err = fmt.Errorf("PUT presence: %s", res.Status)
		}
	}
	if err != nil {
		s.stop()
		return nil, fmt.Errorf("badges: %w", err)
	}
	return s, nil
}

// startBare runs the bare net/http server, which copies the answer of url.
func startBare(ctx context.Context, bin, url string) (*server, error) {
	cmd := exec.Command(bin, "-from", url)
	cmd.Stderr = os.Stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, fmt.Errorf("bare: %w", err)
	}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("bare: start: %w", err)
	}
	s := &server{name: "bare", cmd: cmd}
	line, err := bufio.NewReader(out).ReadString('\n')
	if _, serr := fmt.Sscanf(line, "listening %s", &s.addr); err != nil || serr != nil {
		s.stop()
		return nil, fmt.Errorf("bare: said %q: %v %v", line, err, serr)
	}
	return s, waitHTTP(ctx, "http://"+s.addr+"/")
}

// stop ends the process with SIGTERM, then SIGKILL after stopTimeout.
func (s *server) stop() {
	if s.cmd.Process == nil {
		return
	}
	_ = s.cmd.Process.Signal(os.Interrupt)
	done := make(chan struct{})
	go func() { _ = s.cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(stopTimeout):
		_ = s.cmd.Process.Kill()
		<-done
	}
}

// waitHTTP polls url until it answers 200.
func waitHTTP(ctx context.Context, url string) error {
	ctx, cancel := context.WithTimeout(ctx, startTimeout)
	defer cancel()
	client := &http.Client{Timeout: time.Second}
	for {
		res, err := client.Get(url)
		if err == nil {
			res.Body.Close()
			if res.StatusCode == http.StatusOK {
				return nil
			}
			err = fmt.Errorf("%s", res.Status)
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("%s not ready: %v", url, err)
		case <-time.After(pollEvery):
		}
	}
}
