package wsload

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// Server is the server under test, run as its own process so that its
// memory and file limit are its own.
type Server struct {
	cmd     *exec.Cmd
	Addr    string // host:port of the WebSocket server
	Control string // base URL of the control listener
}

// StartServer builds pkg (a main package printing "ws ADDR control ADDR")
// into dir and starts it.
func StartServer(ctx context.Context, pkg, dir string) (*Server, error) {
	bin := filepath.Join(dir, "liveserver")
	build := exec.CommandContext(ctx, "go", "build", "-o", bin, pkg)
	build.Stdout, build.Stderr = os.Stderr, os.Stderr
	if err := build.Run(); err != nil {
		return nil, fmt.Errorf("wsload: build %s: %w", pkg, err)
	}
	cmd := exec.Command(bin)
	cmd.Stderr = os.Stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, fmt.Errorf("wsload: %w", err)
	}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("wsload: start %s: %w", bin, err)
	}
	line, err := bufio.NewReader(out).ReadString('\n')
	var s Server
	if _, serr := fmt.Sscanf(line, "ws %s control %s", &s.Addr, &s.Control); err != nil || serr != nil {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		return nil, fmt.Errorf("wsload: server said %q: %v %v", line, err, serr)
	}
	s.cmd, s.Control = cmd, "http://"+s.Control
	return &s, nil
}

// Stop ends the server with SIGTERM (so it closes its sockets) and waits.
func (s *Server) Stop() error {
	_ = s.cmd.Process.Signal(os.Interrupt)
	done := make(chan error, 1)
	go func() { done <- s.cmd.Wait() }()
	select {
	case err := <-done:
		return err
	case <-time.After(15 * time.Second):
		_ = s.cmd.Process.Kill()
		return <-done
	}
}

// RSS is the server's resident memory in bytes (VmRSS).
func (s *Server) RSS() (int64, error) {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(s.cmd.Process.Pid) + "/status")
	if err != nil {
		return 0, fmt.Errorf("wsload: %w", err)
	}
	for line := range strings.SplitSeq(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			kb, err := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			return kb << 10, err
		}
	}
	return 0, fmt.Errorf("wsload: no VmRSS for pid %d", s.cmd.Process.Pid)
}

// Call sends a control request and returns the body.
func (s *Server) Call(method, path string) (string, error) {
	req, err := http.NewRequest(method, s.Control+path, nil)
	if err != nil {
		return "", err
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return "", fmt.Errorf("wsload: %s %s: %w", method, path, err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if res.StatusCode >= 300 {
		return "", fmt.Errorf("wsload: %s %s: %s %s", method, path, res.Status, b)
	}
	return string(b), err
}

// OpenSockets reads the server's count of open WebSockets from /metrics.
func (s *Server) OpenSockets() (int, error) {
	res, err := http.Get("http://" + s.Addr + "/metrics")
	if err != nil {
		return 0, fmt.Errorf("wsload: metrics: %w", err)
	}
	defer res.Body.Close()
	sc := bufio.NewScanner(res.Body)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "badges_websocket_connections "); ok {
			f, err := strconv.ParseFloat(v, 64)
			return int(f), err
		}
	}
	return 0, fmt.Errorf("wsload: metrics lack badges_websocket_connections")
}

// WaitClosed waits until the server has no WebSocket open.
func (s *Server) WaitClosed(ctx context.Context) error {
	for {
		n, err := s.OpenSockets()
		if err != nil || n == 0 {
			return err
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("wsload: %d sockets still open: %w", n, ctx.Err())
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// CPU is the processor time (user and system) the server has used.
func (s *Server) CPU() (time.Duration, error) { return ProcessCPU(s.cmd.Process.Pid) }

// ProcessCPU reads a process's user and system time from /proc.
func ProcessCPU(pid int) (time.Duration, error) {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return 0, fmt.Errorf("wsload: %w", err)
	}
	// Fields after the command name, which may hold spaces, in parentheses.
	f := strings.Fields(string(b[strings.LastIndexByte(string(b), ')')+1:]))
	if len(f) < 13 {
		return 0, fmt.Errorf("wsload: short /proc/%d/stat", pid)
	}
	utime, err1 := strconv.ParseInt(f[11], 10, 64)
	stime, err2 := strconv.ParseInt(f[12], 10, 64)
	if err1 != nil || err2 != nil {
		return 0, fmt.Errorf("wsload: bad /proc/%d/stat", pid)
	}
	const ticks = 100 // USER_HZ on Linux
	return time.Duration(utime+stime) * time.Second / ticks, nil
}
