package testenv

import (
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// CaddyOptions say what Caddy runs.
type CaddyOptions struct {
	// Site is a Caddyfile with one site, as a deployment writes it: its
	// address ("badges.example.com {") gets a free loopback port and the
	// certificate, so that no certificate is asked for anywhere.
	Site string
	// Host is the site's address in Site.
	Host string
	// Cert and Key are the PEM files the site serves.
	Cert, Key string
	// Replace lists further old, new pairs to rewrite in Site, such as the
	// upstream's address.
	Replace []string
}

// StartCaddy runs caddy (Debian package caddy) with opt.Site, its storage
// and configuration in a temporary directory and no admin endpoint, and
// kills it at the test's end. It returns the address it listens on.
func StartCaddy(t T, opt CaddyOptions) string {
	t.Helper()
	Require(t, "caddy", "caddy")
	dir, port := workDir(t, "badges-caddy-")
	addr := net.JoinHostPort("127.0.0.1", strconv.Itoa(port))
	if !strings.Contains(opt.Site, opt.Host+" {") {
		t.Fatalf("testenv: the Caddyfile has no site %q", opt.Host)
	}
	site := strings.Replace(opt.Site, opt.Host+" {",
		opt.Host+":"+strconv.Itoa(port)+" {\n\tbind 127.0.0.1\n\ttls "+opt.Cert+" "+opt.Key, 1)
	site = strings.NewReplacer(opt.Replace...).Replace(site)
	// No admin endpoint, no redirect listener on port 80, storage here.
	global := "{\n\tadmin off\n\tauto_https disable_redirects\n\tstorage file_system " + dir + "\n}\n\n"
	path := filepath.Join(dir, "Caddyfile")
	if err := os.WriteFile(path, []byte(global+site), 0o644); err != nil {
		t.Fatalf("testenv: %v", err)
	}
	logPath := filepath.Join(dir, "caddy.log")
	logf, err := os.Create(logPath)
	if err != nil {
		t.Fatalf("testenv: %v", err)
	}
	cmd := exec.Command("caddy", "run", "--config", path, "--adapter", "caddyfile")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "HOME="+dir, "XDG_DATA_HOME="+dir, "XDG_CONFIG_HOME="+dir)
	cmd.Stdout, cmd.Stderr = logf, logf
	if err := cmd.Start(); err != nil {
		logf.Close()
		t.Fatalf("testenv: start caddy: %v", err)
	}
	exited := make(chan struct{})
	go func() { // ends when the process does; the cleanup waits for it
		cmd.Wait()
		logf.Close()
		close(exited)
	}()
	t.Cleanup(func() {
		cmd.Process.Kill()
		<-exited
	})
	if err := waitPort(addr, time.Now().Add(startTimeout), exited); err != nil {
		t.Fatalf("testenv: caddy did not come up: %v\n%s", err, tail(logPath, 40))
	}
	return addr
}
