package forwarded

import (
	"net/http"
	"strings"
	"testing"
)

// FuzzClient feeds arbitrary forwarding headers through a trusted peer:
// the client found is always the peer or an address some header named,
// never invalid, and an untrusted peer always gets itself.
func FuzzClient(f *testing.F) {
	for _, s := range []string{
		"1.1.1.1, 10.0.0.1", "[::1]:80", "for=1.2.3.4", `for="[2001:db8::1]:4711";proto=https`,
		`for=_hidden, for=unknown`, `for="x,y;z"`, `"`, "for=\"\\", ",,;;=", "\xff",
	} {
		f.Add(s, s, s, s)
	}
	p, err := ParseProxies([]string{"127.0.0.1", "10.0.0.0/8"})
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, xff, fwd, proto, host string) {
		h := http.Header{}
		h.Set("Forwarded", fwd)
		h.Set("X-Forwarded-Proto", proto)
		h.Set("X-Forwarded-Host", host)
		if xff != "" {
			h.Set("X-Forwarded-For", xff)
		}
		c := p.Client("127.0.0.1:9", h)
		if !c.IsValid() {
			t.Fatalf("invalid client for %q / %q", xff, fwd)
		}
		if c.String() != "127.0.0.1" && !strings.Contains(strings.ToLower(xff+fwd), c.String()[:1]) {
			t.Fatalf("client %v named by nobody in %q / %q", c, xff, fwd)
		}
		if got := p.Client("192.0.2.1:9", h); got.String() != "192.0.2.1" {
			t.Fatalf("untrusted peer got %v", got)
		}
		scheme, hst := p.Origin("127.0.0.1:9", h)
		if scheme != "" && scheme != "http" && scheme != "https" {
			t.Fatalf("scheme %q", scheme)
		}
		if strings.ContainsAny(hst, "/?#@\"'<> \\") {
			t.Fatalf("host %q", hst)
		}
		if s, hh := p.Origin("192.0.2.1:9", h); s != "" || hh != "" {
			t.Fatal("untrusted peer set the origin")
		}
	})
}
