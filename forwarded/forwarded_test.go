package forwarded

import (
	"errors"
	"net/http"
	"net/netip"
	"testing"
)

func mustProxies(t *testing.T, items ...string) Proxies {
	t.Helper()
	p, err := ParseProxies(items)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func TestParseProxies(t *testing.T) {
	p := mustProxies(t, "10.0.0.1", "192.168.0.0/16", "fd00::/8", "::1", " 172.16.0.0/12 ")
	for _, tc := range []struct {
		addr string
		want bool
	}{
		{"10.0.0.1", true}, {"10.0.0.2", false}, {"192.168.3.4", true}, {"::ffff:192.168.3.4", true},
		{"fd12::1", true}, {"fe80::1", false}, {"::1", true}, {"172.31.255.255", true}, {"8.8.8.8", false},
	} {
		if got := p.Trusted(netip.MustParseAddr(tc.addr)); got != tc.want {
			t.Errorf("Trusted(%s) = %v, want %v", tc.addr, got, tc.want)
		}
	}
	for _, bad := range []string{"", "10.0.0", "10.0.0.0/33", "example.com", "fe80::1%eth0", "1.2.3.4:80"} {
		if _, err := ParseProxies([]string{bad}); !errors.Is(err, ErrBadProxy) {
			t.Errorf("ParseProxies(%q) = %v, want ErrBadProxy", bad, err)
		}
	}
	if !(Proxies{}).Empty() || p.Empty() {
		t.Error("Empty")
	}
}

func hdr(kv ...string) http.Header {
	h := http.Header{}
	for i := 0; i < len(kv); i += 2 {
		h.Add(kv[i], kv[i+1])
	}
	return h
}

func TestClient(t *testing.T) {
	p := mustProxies(t, "127.0.0.1", "10.0.0.0/8", "2001:db8::/32")
	for _, tc := range []struct {
		name   string
		remote string
		h      http.Header
		want   string
	}{
		{"untrusted peer ignores headers", "203.0.113.9:4000", hdr("X-Forwarded-For", "1.1.1.1"), "203.0.113.9"},
		{"untrusted peer ignores Forwarded", "203.0.113.9:4000", hdr("Forwarded", "for=1.1.1.1"), "203.0.113.9"},
		{"trusted peer without headers", "127.0.0.1:5000", nil, "127.0.0.1"},
		{"one hop", "127.0.0.1:5000", hdr("X-Forwarded-For", "198.51.100.7"), "198.51.100.7"},
		{"forged left entries ignored", "127.0.0.1:5000", hdr("X-Forwarded-For", "1.1.1.1, 2.2.2.2, 198.51.100.7"), "198.51.100.7"},
		{"trusted hops skipped", "127.0.0.1:5000", hdr("X-Forwarded-For", "1.1.1.1, 198.51.100.7, 10.1.2.3, 10.9.9.9"), "198.51.100.7"},
		{"several lines in order", "127.0.0.1:5000", hdr("X-Forwarded-For", "1.1.1.1", "X-Forwarded-For", "198.51.100.7, 10.0.0.5"), "198.51.100.7"},
		{"all trusted: left-most", "127.0.0.1:5000", hdr("X-Forwarded-For", "10.0.0.1, 10.0.0.2"), "10.0.0.1"},
		{"port on a hop", "127.0.0.1:5000", hdr("X-Forwarded-For", "198.51.100.7:1234"), "198.51.100.7"},
		{"IPv6 hop", "127.0.0.1:5000", hdr("X-Forwarded-For", "2a00:1450::1"), "2a00:1450::1"},
		{"bracketed IPv6 hop with port", "127.0.0.1:5000", hdr("X-Forwarded-For", "[2a00:1450::1]:443"), "2a00:1450::1"},
		{"mapped IPv4", "127.0.0.1:5000", hdr("X-Forwarded-For", "::ffff:198.51.100.7"), "198.51.100.7"},
		{"garbage right of client: the hop that sent it", "127.0.0.1:5000", hdr("X-Forwarded-For", "198.51.100.7, nonsense, 10.0.0.3"), "10.0.0.3"},
		{"garbage at the right: the peer", "127.0.0.1:5000", hdr("X-Forwarded-For", "198.51.100.7, nonsense"), "127.0.0.1"},
		{"XFF wins over Forwarded", "127.0.0.1:5000", hdr("X-Forwarded-For", "198.51.100.7", "Forwarded", "for=1.1.1.1"), "198.51.100.7"},
		{"Forwarded", "127.0.0.1:5000", hdr("Forwarded", "for=198.51.100.7;proto=https"), "198.51.100.7"},
		{"Forwarded quoted with port", "127.0.0.1:5000", hdr("Forwarded", `for="198.51.100.7:8080"`), "198.51.100.7"},
		{"Forwarded IPv6", "127.0.0.1:5000", hdr("Forwarded", `For="[2a00:1450::1]:4711"`), "2a00:1450::1"},
		{"Forwarded walk", "127.0.0.1:5000", hdr("Forwarded", `for=1.1.1.1, for=198.51.100.7;by=10.0.0.1, for=10.2.3.4`), "198.51.100.7"},
		{"Forwarded lines", "127.0.0.1:5000", hdr("Forwarded", "for=1.1.1.1", "Forwarded", "for=198.51.100.7"), "198.51.100.7"},
		{"Forwarded obfuscated", "127.0.0.1:5000", hdr("Forwarded", "for=198.51.100.7, for=_hidden, for=10.0.0.9"), "10.0.0.9"},
		{"Forwarded unknown", "127.0.0.1:5000", hdr("Forwarded", "for=unknown"), "127.0.0.1"},
		{"Forwarded unbracketed IPv6 is invalid", "127.0.0.1:5000", hdr("Forwarded", "for=1.1.1.1, for=\"2a00::1\""), "127.0.0.1"},
		{"Forwarded malformed element is a hop", "127.0.0.1:5000", hdr("Forwarded", "for=198.51.100.7, for=1.1.1.1 junk"), "127.0.0.1"},
		{"Forwarded element without for", "127.0.0.1:5000", hdr("Forwarded", "for=1.1.1.1, proto=https"), "127.0.0.1"},
		{"Forwarded quoted comma", "127.0.0.1:5000", hdr("Forwarded", `for=198.51.100.7;by="a,b", for=10.0.0.1`), "198.51.100.7"},
		{"IPv6 proxy peer", "[2001:db8::5]:80", hdr("X-Forwarded-For", "198.51.100.7"), "198.51.100.7"},
		{"bare remote", "127.0.0.1", hdr("X-Forwarded-For", "198.51.100.7"), "198.51.100.7"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if tc.h == nil {
				tc.h = http.Header{}
			}
			got := p.Client(tc.remote, tc.h)
			if got != netip.MustParseAddr(tc.want) {
				t.Errorf("Client = %v, want %v", got, tc.want)
			}
		})
	}
	if got := p.Client("not an address", hdr("X-Forwarded-For", "1.1.1.1")); got.IsValid() {
		t.Errorf("Client of a bad remote = %v", got)
	}
	if got := (Proxies{}).Client("127.0.0.1:1", hdr("X-Forwarded-For", "1.1.1.1")); got != netip.MustParseAddr("127.0.0.1") {
		t.Errorf("nobody trusted: %v", got)
	}
}

func TestOrigin(t *testing.T) {
	p := mustProxies(t, "127.0.0.1")
	for _, tc := range []struct {
		name         string
		remote       string
		h            http.Header
		scheme, host string
	}{
		{"untrusted", "192.0.2.1:1", hdr("X-Forwarded-Proto", "https", "X-Forwarded-Host", "badges.example"), "", ""},
		{"x-forwarded", "127.0.0.1:1", hdr("X-Forwarded-Proto", "HTTPS", "X-Forwarded-Host", "Badges.Example:8443"), "https", "badges.example:8443"},
		// A client may send its own X-Forwarded-*; the proxy next to us
		// appends, so only the right-most value is the proxy's.
		{"last value", "127.0.0.1:1", hdr("X-Forwarded-Proto", "https, http", "X-Forwarded-Host", "evil.example, b.example"), "http", "b.example"},
		{"last header line", "127.0.0.1:1", http.Header{"X-Forwarded-Host": {"evil.example", "b.example"}, "X-Forwarded-Proto": {"http", "https"}}, "https", "b.example"},
		{"bad scheme", "127.0.0.1:1", hdr("X-Forwarded-Proto", "javascript"), "", ""},
		{"bad host", "127.0.0.1:1", hdr("X-Forwarded-Host", "evil.example/path"), "", ""},
		{"host with quote", "127.0.0.1:1", hdr("X-Forwarded-Host", `a"b`), "", ""},
		{"bad port", "127.0.0.1:1", hdr("X-Forwarded-Host", "a.example:x"), "", ""},
		{"ipv6 host", "127.0.0.1:1", hdr("X-Forwarded-Host", "[2001:db8::1]:8080"), "", "[2001:db8::1]:8080"},
		{"forwarded", "127.0.0.1:1", hdr("Forwarded", `for=1.2.3.4;proto=https;host="badges.example"`), "https", "badges.example"},
		{"forwarded last element", "127.0.0.1:1", hdr("Forwarded", `for=1.2.3.4;proto=https, for=5.6.7.8;proto=http`), "http", ""},
		{"forwarded last element that says", "127.0.0.1:1", hdr("Forwarded", `for=1.2.3.4;proto=http, for=5.6.7.8;host=b.example, for=9.9.9.9`), "", "b.example"},
		{"nothing", "127.0.0.1:1", http.Header{}, "", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, h := p.Origin(tc.remote, tc.h)
			if s != tc.scheme || h != tc.host {
				t.Errorf("Origin = %q %q, want %q %q", s, h, tc.scheme, tc.host)
			}
		})
	}
}

func TestElements(t *testing.T) {
	els := elements([]string{`for=a;proto="h\"t", ,for="x,y";by=z`, `host=q`})
	if len(els) != 3 || els[0][1].value != `h"t` || els[1][0].value != "x,y" || els[1][1].key != "by" || els[2][0].key != "host" {
		t.Errorf("elements = %#v", els)
	}
	if els := elements([]string{`for="unterminated`}); len(els) != 1 || els[0] != nil {
		t.Errorf("unterminated quote: %#v", els)
	}
}
