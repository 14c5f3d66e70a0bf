// Package testenv starts throwaway real servers for integration tests.
//
// Prosody (Debian package prosody) runs on loopback with random ports, a
// temporary data directory and a certificate made for the test. Outside CI
// a test whose server is missing is skipped with a line saying how to
// install it; under CI=true it fails.
package testenv

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Time limits of the server's life cycle. Prosody starts in well under a
// second on an idle machine; the limits leave room for a loaded one.
const (
	startTimeout = 15 * time.Second
	ctlTimeout   = 20 * time.Second
)

// T is the part of testing.TB that testenv needs. Tests pass their
// *testing.T; programs that start the same servers outside tests (the demo,
// the benchmarks) pass their own.
type T interface {
	Helper()
	Fatal(args ...any)
	Fatalf(format string, args ...any)
	Errorf(format string, args ...any)
	Logf(format string, args ...any)
	Skip(args ...any)
	Cleanup(func())
	Failed() bool
}

// Prosody is a running throwaway Prosody.
type Prosody struct {
	// Domain and OtherDomain are virtual hosts; MUCDomain is a
	// multi-user chat service.
	Domain, OtherDomain, MUCDomain string
	// Addr is the client port (plain, with optional STARTTLS);
	// DirectTLSAddr speaks TLS from the first byte.
	Addr, DirectTLSAddr string
	// HTTPAddr serves mod_webpresence when ProsodyOptions.WebPresence is set.
	HTTPAddr string
	// RootCAs trusts the server's certificate.
	RootCAs *x509.CertPool

	t       T
	dir     string
	cfgPath string
	logPath string

	mu     sync.Mutex
	cmd    *exec.Cmd
	exited chan struct{}
}

// Require skips the test, or fails it under CI=true, when a program is
// missing.
func Require(t T, pkg string, programs ...string) {
	t.Helper()
	for _, p := range programs {
		if _, err := exec.LookPath(p); err != nil {
			msg := fmt.Sprintf("%s is not installed; install it with: apt-get install %s", p, pkg)
			if os.Getenv("CI") == "true" {
				t.Fatal(msg)
			}
			t.Skip(msg)
		}
	}
}

// ProsodyOptions vary the server's configuration.
type ProsodyOptions struct {
	// PasswordHash is how accounts' passwords are stored, which decides
	// the SCRAM mechanisms on offer: "SHA-1" (empty; Prosody's default)
	// or "SHA-256".
	PasswordHash string
	// WebPresence serves Prosody's mod_webpresence (Debian's
	// prosody-modules) over HTTP on HTTPAddr, the peer badges' benchmarks
	// compare against.
	WebPresence bool
}

// StartProsody starts a Prosody for the test and stops it at the test's end.
func StartProsody(t T) *Prosody {
	t.Helper()
	return StartProsodyWith(t, ProsodyOptions{})
}

// StartProsodyWith is StartProsody with options.
func StartProsodyWith(t T, opt ProsodyOptions) *Prosody {
	t.Helper()
	if opt.PasswordHash == "" {
		opt.PasswordHash = "SHA-1"
	}
	Require(t, "prosody", "prosody", "prosodyctl")
	dir, err := os.MkdirTemp("", "badges-prosody-")
	if err != nil {
		t.Fatalf("testenv: %v", err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	// The prosody user must reach the directory: prosodyctl may drop to it.
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatalf("testenv: %v", err)
	}
	p := &Prosody{
		Domain: "localhost", OtherDomain: "other.localhost", MUCDomain: "rooms.localhost",
		t: t, dir: dir,
		cfgPath: filepath.Join(dir, "prosody.cfg.lua"),
		logPath: filepath.Join(dir, "prosody.log"),
	}
	for _, d := range []string{"data", "certs"} {
		if err := os.Mkdir(filepath.Join(dir, d), 0o750); err != nil {
			t.Fatalf("testenv: %v", err)
		}
	}
	p.RootCAs, err = writeCert(filepath.Join(dir, "certs", "localhost.crt"), filepath.Join(dir, "certs", "localhost.key"),
		[]string{p.Domain, p.OtherDomain, p.MUCDomain})
	if err != nil {
		t.Fatal(err)
	}
	ports, err := FreePorts(3)
	if err != nil {
		t.Fatalf("testenv: %v", err)
	}
	p.Addr = net.JoinHostPort("127.0.0.1", strconv.Itoa(ports[0]))
	p.DirectTLSAddr = net.JoinHostPort("127.0.0.1", strconv.Itoa(ports[1]))
	if opt.WebPresence {
		Require(t, "prosody-modules", "prosody")
		p.HTTPAddr = net.JoinHostPort("127.0.0.1", strconv.Itoa(ports[2]))
	}
	if err := os.WriteFile(p.cfgPath, []byte(p.config(ports, opt)), 0o644); err != nil {
		t.Fatalf("testenv: %v", err)
	}
	if err := chownToProsody(dir); err != nil {
		t.Fatalf("testenv: %v", err)
	}
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("prosody log (last lines):\n%s", tail(p.logPath, 40))
		}
	})
	t.Cleanup(p.stop)
	p.Start()
	return p
}

// config is the server's configuration: loopback only, no s2s, HTTP only
// for mod_webpresence, plain authentication allowed so tests can also run
// without TLS.
func (p *Prosody) config(ports []int, opt ProsodyOptions) string {
	// Rich presence: PEP, vCards and last activity. The main domain
	// mirrors vCards to PEP (vcard_legacy, as Prosody's default setups
	// do); the other keeps them apart (vcard), so that XEP-0153 pictures
	// are tested on their own.
	httpPorts, modules := "", `"roster"; "saslauth"; "tls"; "disco"; "ping"; "posix"; "pep"; "lastactivity";`
	if opt.WebPresence {
		httpPorts = strconv.Itoa(ports[2])
		modules += ` "http"; "webpresence";`
	}
	return fmt.Sprintf(`-- generated by badges/internal/testenv
run_as_root = true
pidfile = %[1]q
data_path = %[2]q
certificates = %[3]q
ssl = { certificate = %[4]q; key = %[5]q; }
plugin_paths = {}
interfaces = { "127.0.0.1" }
c2s_ports = { %[6]d }
c2s_direct_tls_ports = { %[7]d }
s2s_ports = {}
component_ports = {}
http_ports = { %[13]s }
http_interfaces = { "127.0.0.1" }
http_default_host = %[9]q
https_ports = {}
modules_enabled = { %[14]s }
modules_disabled = { "s2s"; }
c2s_require_encryption = false
allow_unencrypted_plain_auth = true
authentication = "internal_hashed"
password_hash = %[12]q
storage = "internal"
log = { info = %[8]q; }

c2s_stanza_size_limit = 4 * 1024 * 1024 -- room for pictures over the 1 MiB badges takes

VirtualHost %[9]q
	modules_enabled = { %[14]s "vcard_legacy"; }
VirtualHost %[10]q
	modules_enabled = { %[14]s "vcard"; }
Component %[11]q "muc"
`, filepath.Join(p.dir, "prosody.pid"), filepath.Join(p.dir, "data"), filepath.Join(p.dir, "certs"),
		filepath.Join(p.dir, "certs", "localhost.crt"), filepath.Join(p.dir, "certs", "localhost.key"),
		ports[0], ports[1], p.logPath, p.Domain, p.OtherDomain, p.MUCDomain, opt.PasswordHash,
		httpPorts, modules)
}

// Start starts the server (again, after Kill) on the same ports and data,
// and returns once both client ports accept connections. Like Kill, call
// it from the test's goroutine.
func (p *Prosody) Start() {
	p.t.Helper()
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.cmd != nil {
		p.t.Fatal("testenv: prosody is already running")
	}
	logf, err := os.OpenFile(p.logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		p.t.Fatalf("testenv: %v", err)
	}
	defer logf.Close()
	cmd := exec.Command("prosody", "-F", "--config", p.cfgPath)
	cmd.Stdout, cmd.Stderr = logf, logf
	cmd.Dir = p.dir
	if err := cmd.Start(); err != nil {
		p.t.Fatalf("testenv: start prosody: %v", err)
	}
	exited := make(chan struct{})
	go func() { // ends when the process does; stop and Kill wait for it
		cmd.Wait()
		close(exited)
	}()
	p.cmd, p.exited = cmd, exited
	deadline := time.Now().Add(startTimeout)
	for _, addr := range []string{p.Addr, p.DirectTLSAddr, p.HTTPAddr} {
		if addr == "" {
			continue
		}
		if err := waitPort(addr, deadline, exited); err != nil {
			p.t.Fatalf("testenv: prosody did not come up: %v\n%s", err, tail(p.logPath, 40))
		}
	}
}

// Kill stops the server at once, as a crash would: clients see their
// connections drop. Start brings it back.
func (p *Prosody) Kill() {
	p.t.Helper()
	p.stop()
}

// stop kills the server, for Kill and at the test's end. Its data is thrown
// away, so there is nothing to flush, and a polite SIGTERM costs up to a
// second per test.
func (p *Prosody) stop() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.cmd == nil {
		return
	}
	p.cmd.Process.Kill()
	<-p.exited
	p.cmd = nil
}

// Register creates an account with prosodyctl and returns its JID.
func (p *Prosody) Register(jid, password string) string {
	p.t.Helper()
	local, domain, ok := strings.Cut(jid, "@")
	if !ok {
		local, domain = jid, p.Domain
	}
	ctx, cancel := context.WithTimeout(context.Background(), ctlTimeout)
	defer cancel()
	out, err := exec.CommandContext(ctx, "prosodyctl", "--config", p.cfgPath, "register", local, domain, password).CombinedOutput()
	if err != nil {
		p.t.Fatalf("testenv: prosodyctl register %s@%s: %v\n%s", local, domain, err, out)
	}
	return local + "@" + domain
}

// PID is the running server's process id (for its CPU time), or 0.
func (p *Prosody) PID() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.cmd == nil {
		return 0
	}
	return p.cmd.Process.Pid
}

// TLSConfig trusts the server's certificate for Domain.
func (p *Prosody) TLSConfig() *tls.Config {
	return &tls.Config{RootCAs: p.RootCAs, ServerName: p.Domain, MinVersion: tls.VersionTLS12}
}

// waitPort polls addr until it accepts a connection, the deadline passes or
// the process exits.
func waitPort(addr string, deadline time.Time, exited <-chan struct{}) error {
	for {
		c, err := net.DialTimeout("tcp", addr, 200*time.Millisecond)
		if err == nil {
			c.Close()
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("%s: %w", addr, err)
		}
		select {
		case <-exited:
			return fmt.Errorf("the server exited")
		case <-time.After(20 * time.Millisecond): // poll interval, not a wait for a condition
		}
	}
}

// FreePorts asks the kernel for n free loopback ports. Another process may
// take one before the server binds it, which then fails to start and says so.
func FreePorts(n int) ([]int, error) {
	var ports []int
	var lns []net.Listener
	defer func() {
		for _, l := range lns {
			l.Close()
		}
	}()
	for range n {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return nil, err
		}
		lns = append(lns, l)
		ports = append(ports, l.Addr().(*net.TCPAddr).Port)
	}
	return ports, nil
}

// chownToProsody hands dir to the prosody user when running as root:
// prosodyctl drops to that user where it can.
func chownToProsody(dir string) error {
	if os.Geteuid() != 0 {
		return nil
	}
	u, err := user.Lookup("prosody")
	if err != nil {
		return nil // no such user: everything runs as root
	}
	uid, _ := strconv.Atoi(u.Uid)
	gid, _ := strconv.Atoi(u.Gid)
	return filepath.Walk(dir, func(path string, _ os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		return os.Lchown(path, uid, gid)
	})
}

func tail(path string, lines int) string {
	b, err := os.ReadFile(path)
	if err != nil {
		return err.Error()
	}
	all := bytes.Split(bytes.TrimRight(b, "\n"), []byte("\n"))
	if len(all) > lines {
		all = all[len(all)-lines:]
	}
	return string(bytes.Join(all, []byte("\n")))
}
