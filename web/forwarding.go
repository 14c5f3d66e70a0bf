package web

import (
	"net/http"
	"net/netip"

	"badges/forwarded"
)

// fromProxies makes a request that came through trusted reverse proxies
// look as it did to the first of them (docs/API.md#deployment), in one
// place, so that every per-client limit, log line and metric after it
// uses the client's own address: RemoteAddr becomes the client's address
// (port 0: the client's port is not known), and, when no public URL is
// configured, Host and URL.Scheme become the public host and scheme the
// proxies report. From an untrusted peer nothing changes.
func fromProxies(p forwarded.Proxies, public bool, next http.Handler) http.Handler {
	if p.Empty() {
		return next
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		peer := forwarded.ParseRemote(r.RemoteAddr)
		if !peer.IsValid() || !p.Trusted(peer) {
			next.ServeHTTP(w, r)
			return
		}
		r2 := new(http.Request)
		*r2 = *r
		if client := p.Client(r.RemoteAddr, r.Header); client.IsValid() && client != peer {
			r2.RemoteAddr = netip.AddrPortFrom(client, 0).String()
		}
		if !public {
			scheme, host := p.Origin(r.RemoteAddr, r.Header)
			if host != "" {
				r2.Host = host
			}
			if scheme != "" {
				u := *r.URL
				u.Scheme = scheme
				r2.URL = &u
			}
		}
		next.ServeHTTP(w, r2)
	})
}

// requestScheme is the scheme the client used: what trusted proxies said
// (fromProxies), else https over TLS and http otherwise.
func requestScheme(r *http.Request) string {
	if r.URL.Scheme != "" {
		return r.URL.Scheme
	}
	if r.TLS != nil {
		return "https"
	}
	return "http"
}
