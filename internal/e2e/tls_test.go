package e2e

import (
	"context"
	"crypto/tls"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/coder/websocket"

	"badges/internal/testenv"
)

// serial is the serial number of the certificate a fresh handshake with
// addr gets.
func serial(t *testing.T, addr string) string {
	t.Helper()
	c, err := tls.DialWithDialer(&net.Dialer{Timeout: 5 * time.Second}, "tcp", addr, &tls.Config{InsecureSkipVerify: true})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	return c.ConnectionState().PeerCertificates[0].SerialNumber.String()
}

// TestTLS: with -tls-cert and -tls-key, badges serves HTTPS and HTTP/2 and
// live sockets over wss. SIGHUP loads renewed files: a new handshake gets
// the new certificate while an open socket stays open and live; files that
// do not load leave the certificate in use as it was.
func TestTLS(t *testing.T) {
	dir := t.TempDir()
	cert, key := filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	pool, err := testenv.WriteCert(cert, key, []string{"localhost"})
	if err != nil {
		t.Fatal(err)
	}
	srv := startWith(t, t.TempDir(), launch{tls: &tls.Config{RootCAs: pool}}, "-tls-cert", cert, "-tls-key", key)
	const jid = "alice@example.com"
	srv.put(jid, `{"status":"available"}`)

	res, err := srv.client.Get(srv.base + "/badge/" + jid + ".svg")
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != 200 || res.Proto != "HTTP/2.0" {
		t.Fatalf("HTTPS badge = %d over %s, want 200 over HTTP/2", res.StatusCode, res.Proto)
	}

	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	defer cancel()
	ws, _, err := websocket.Dial(ctx, "wss://"+srv.addr+"/ws?jid="+jid, &websocket.DialOptions{
		HTTPClient: &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}},
	})
	if err != nil {
		t.Fatalf("wss: %v", err)
	}
	defer ws.CloseNow()
	if st, err := readStatus(ctx, ws); err != nil || st != "available" {
		t.Fatalf("wss first frame: %q %v", st, err)
	}

	before := serial(t, srv.addr)
	pool2, err := testenv.WriteCert(cert, key, []string{"localhost"})
	if err != nil {
		t.Fatal(err)
	}
	if err := srv.cmd.Process.Signal(syscall.SIGHUP); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(changeWait)
	for serial(t, srv.addr) == before {
		if time.Now().After(deadline) {
			t.Fatalf("the certificate did not change after SIGHUP\n%s", srv.output())
		}
		time.Sleep(pollEvery)
	}
	renewed := serial(t, srv.addr)
	// The open socket lives on, and still carries changes.
	srv.put(jid, `{"status":"away"}`)
	if st, err := readStatus(ctx, ws); err != nil || st != "away" {
		t.Fatalf("open socket after the reload: %q %v", st, err)
	}
	// New clients verify the new certificate.
	srv.client.Transport = &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool2}, ForceAttemptHTTP2: true}
	if code, _ := srv.do("GET", "/healthz", "", nil); code != 200 {
		t.Fatalf("healthz with the new certificate = %d", code)
	}

	// A broken file: the process logs why and keeps the certificate.
	if err := os.WriteFile(cert, []byte("-----BEGIN CERTIFICATE-----\nnot a certificate\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := srv.cmd.Process.Signal(syscall.SIGHUP); err != nil {
		t.Fatal(err)
	}
	deadline = time.Now().Add(changeWait)
	for !strings.Contains(srv.output(), "kept the certificate in use") {
		if time.Now().After(deadline) {
			t.Fatalf("no log line for the broken file\n%s", srv.output())
		}
		time.Sleep(pollEvery)
	}
	if s := serial(t, srv.addr); s != renewed {
		t.Errorf("serial after a broken file = %s, want %s", s, renewed)
	}
	if code, _ := srv.do("GET", "/healthz", "", nil); code != 200 {
		t.Errorf("healthz after a broken file = %d", code)
	}
	srv.put(jid, `{"status":"dnd"}`)
	if st, err := readStatus(ctx, ws); err != nil || st != "dnd" {
		t.Errorf("open socket after the failed reload: %q %v", st, err)
	}
}
