package e2e

import (
	"context"
	"crypto/tls"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"badges/internal/testenv"
	"badges/presence"
)

// Time bounds of the harness.
const (
	buildTimeout = 3 * time.Minute  // a cold build of the binary on a busy machine
	startTimeout = 15 * time.Second // from exec to a 200 on /healthz
	stopTimeout  = 5 * time.Second  // for a killed process to be reaped
	pollEvery    = 20 * time.Millisecond
)

// Credentials every test server is started with.
const (
	secret = "e2e-token-secret"
	apiKey = "E2eApiKey0123456789abcdef"
)

var (
	buildOnce sync.Once
	binPath   string
	buildErr  error
)

// binary builds cmd/badges once per test run and returns its path.
func binary(t *testing.T) string {
	t.Helper()
	if testing.Short() {
		t.Skip("builds and runs the badges binary")
	}
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "badges-e2e-")
		if err != nil {
			buildErr = err
			return
		}
		binPath = filepath.Join(dir, "badges")
		ctx, cancel := context.WithTimeout(context.Background(), buildTimeout)
		defer cancel()
		out, err := exec.CommandContext(ctx, "go", "build", "-o", binPath, "badges/cmd/badges").CombinedOutput()
		if err != nil {
			buildErr = fmt.Errorf("go build: %w\n%s", err, out)
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return binPath
}

// TestMain removes the binary after the run.
func TestMain(m *testing.M) {
	code := m.Run()
	if binPath != "" {
		os.RemoveAll(filepath.Dir(binPath))
	}
	os.Exit(code)
}

// proc is one running badges server.
type proc struct {
	t      *testing.T
	cmd    *exec.Cmd
	addr   string       // 127.0.0.1:PORT
	client *http.Client // trusts the server's certificate under TLS
	base   string       // http://127.0.0.1:PORT, https:// under TLS, with the base path
	log    string       // the server's stdout and stderr
	done   chan struct{}
	err    error // the exit status, once done is closed
}

// start runs `badges serve` on a free loopback port with data in dir and
// waits until /healthz answers 200. The process is killed when the test ends.
func start(t *testing.T, dir string, args ...string) *proc {
	t.Helper()
	return startWith(t, dir, launch{}, args...)
}

// launch says how to reach a server that startWith runs.
type launch struct {
	tls  *tls.Config // not nil: the server speaks HTTPS, trusted with this
	base string      // its -base-path
}

// startWith is start for a server with TLS or a base path.
func startWith(t *testing.T, dir string, l launch, args ...string) *proc {
	t.Helper()
	bin := binary(t)
	addr := freeAddr(t)
	logf, err := os.CreateTemp(t.TempDir(), "badges-*.log")
	if err != nil {
		t.Fatal(err)
	}
	args = append([]string{"serve", "-listen", addr, "-data", dir, "-token-secret", secret,
		"-api-keys", apiKey, "-log-level", "debug"}, args...)
	cmd := exec.Command(bin, args...)
	cmd.Env = testenv.CleanEnv()
	cmd.Stdout, cmd.Stderr = logf, logf
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	p := &proc{t: t, cmd: cmd, addr: addr, base: "http://" + addr + l.base, log: logf.Name(), done: make(chan struct{}),
		client: &http.Client{Timeout: 5 * time.Second}}
	if l.tls != nil {
		p.base = "https://" + addr + l.base
		p.client.Transport = &http.Transport{TLSClientConfig: l.tls, ForceAttemptHTTP2: true}
	}
	go func() {
		p.err = cmd.Wait()
		logf.Close()
		close(p.done)
	}()
	t.Cleanup(p.kill)
	deadline := time.Now().Add(startTimeout)
	for {
		res, err := p.client.Get(p.base + "/healthz")
		if err == nil {
			res.Body.Close()
			if res.StatusCode == http.StatusOK {
				return p
			}
		}
		select {
		case <-p.done:
			t.Fatalf("badges exited before it was healthy: %v\n%s", p.err, p.output())
		case <-time.After(pollEvery):
		}
		if time.Now().After(deadline) {
			t.Fatalf("badges not healthy within %s\n%s", startTimeout, p.output())
		}
	}
}

// kill sends SIGKILL, as kill -9 does, and reaps the process.
func (p *proc) kill() {
	select {
	case <-p.done:
		return
	default:
	}
	if err := p.cmd.Process.Kill(); err != nil && !errors.Is(err, os.ErrProcessDone) {
		p.t.Errorf("kill: %v", err)
	}
	select {
	case <-p.done:
	case <-time.After(stopTimeout):
		p.t.Errorf("badges not reaped within %s", stopTimeout)
	}
}

func (p *proc) output() string {
	b, _ := os.ReadFile(p.log)
	return string(b)
}

// do sends a request and returns the status and body.
func (p *proc) do(method, path, body string, hdr map[string]string) (int, string) {
	p.t.Helper()
	req, err := http.NewRequest(method, p.base+path, strings.NewReader(body))
	if err != nil {
		p.t.Fatal(err)
	}
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	res, err := p.client.Do(req)
	if err != nil {
		p.t.Fatalf("%s %s: %v\n%s", method, path, err, p.output())
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		p.t.Fatal(err)
	}
	return res.StatusCode, string(b)
}

// get reads a JID's presence from the JSON API.
func (p *proc) get(jid string) presence.Presence {
	p.t.Helper()
	code, body := p.do("GET", "/api/v1/presence/"+jid, "", nil)
	if code != http.StatusOK {
		p.t.Fatalf("GET %s = %d %s", jid, code, body)
	}
	var pr presence.Presence
	if err := json.Unmarshal([]byte(body), &pr); err != nil {
		p.t.Fatalf("GET %s: %v: %s", jid, err, body)
	}
	return pr
}

// put writes a JID's presence with the API key and fails the test unless
// it is acknowledged.
func (p *proc) put(jid, body string) presence.Presence {
	p.t.Helper()
	code, got := p.do("PUT", "/api/v1/presence/"+jid, body, map[string]string{"Authorization": "Bearer " + apiKey})
	if code != http.StatusOK {
		p.t.Fatalf("PUT %s = %d %s", jid, code, got)
	}
	var pr presence.Presence
	if err := json.Unmarshal([]byte(got), &pr); err != nil {
		p.t.Fatal(err)
	}
	return pr
}

// await polls the JSON API until jid's presence satisfies ok.
func (p *proc) await(ctx context.Context, jid string, ok func(presence.Presence) bool) presence.Presence {
	p.t.Helper()
	for {
		if pr := p.get(jid); ok(pr) {
			return pr
		}
		select {
		case <-ctx.Done():
			p.t.Fatalf("%s: condition not met before the deadline: %+v", jid, p.get(jid))
		case <-time.After(pollEvery):
		}
	}
}

// command runs a one-shot subcommand of the binary (token, sign) and
// returns its output line.
func command(t *testing.T, args ...string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), startTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, binary(t), args...)
	cmd.Env = testenv.CleanEnv()
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("badges %s: %v", strings.Join(args, " "), err)
	}
	return strings.TrimSpace(string(out))
}

// freeAddr returns a loopback address with a port that was free a moment ago.
func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}
