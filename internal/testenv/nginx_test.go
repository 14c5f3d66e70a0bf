package testenv

import (
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
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
	n := StartNginx(t, NginxOptions{Site: string(site), Replace: []string{"127.0.0.1:8080", ln.Addr().String()}})
	req, err := http.NewRequest("GET", "http://"+n.Addr+"/some/path", nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Host = "badges.example.com"
	req.Header.Set("X-Forwarded-For", "203.0.113.5")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	want := "203.0.113.5, 127.0.0.1|http|badges.example.com|/some/path"
	if got := strings.TrimSpace(string(body)); got != want {
		t.Errorf("upstream saw %q, want %q", got, want)
	}
}
