package testenv

import (
	"crypto/tls"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestNginx runs the deployment's nginx site in front of a plain upstream
// and checks that it forwards the client's address and the public origin.
func TestNginx(t *testing.T) {
	site, err := os.ReadFile("../../deploy/nginx.conf")
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, "%s|%s|%s|%s", r.Header.Get("X-Forwarded-For"), r.Header.Get("X-Forwarded-Proto"), r.Host, r.URL.Path)
	})}
	go srv.Serve(ln) // ends at Close
	t.Cleanup(func() { srv.Close() })
	dir := t.TempDir()
	cert, key := filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	pool, err := WriteCert(cert, key, []string{"badges.example.com"})
	if err != nil {
		t.Fatal(err)
	}
	n := StartNginx(t, NginxOptions{Site: string(site), Replace: []string{
		"127.0.0.1:8080", ln.Addr().String(),
		"/etc/ssl/badges/fullchain.pem", cert, "/etc/ssl/badges/privkey.pem", key,
	}})
	client := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}, ForceAttemptHTTP2: true}}
	req, err := http.NewRequest("GET", "https://"+n.Addr+"/some/path", nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Host = "badges.example.com"
	req.Header.Set("X-Forwarded-For", "203.0.113.5")
	res, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	if res.Proto != "HTTP/2.0" {
		t.Errorf("nginx answered over %s, want HTTP/2", res.Proto)
	}
	body, _ := io.ReadAll(res.Body)
	want := "203.0.113.5, 127.0.0.1|https|badges.example.com|/some/path"
	if got := strings.TrimSpace(string(body)); got != want {
		t.Errorf("upstream saw %q, want %q", got, want)
	}
}
