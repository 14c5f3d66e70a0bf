// Package forwarded finds the client and the public origin of a request
// that came through trusted reverse proxies (docs/API.md#deployment).
//
// Only a peer listed in the trusted set may speak for someone else. From
// such a peer the client is the right-most address of X-Forwarded-For (or,
// without one, of RFC 7239 Forwarded: for=) that is not itself trusted, as
// nginx's realip module and Caddy's trusted_proxies find it: every trusted
// hop appended the address it saw, so the first untrusted one from the
// right is the last that nobody could forge. From any other peer the
// headers are ignored.
package forwarded

import (
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"strings"
)

// Proxies is a set of trusted reverse proxies: addresses and prefixes. The
// zero value trusts nobody.
type Proxies struct {
	prefixes []netip.Prefix
}

// ErrBadProxy marks an item of the trusted set that is neither an address
// nor a CIDR prefix.
var ErrBadProxy = errors.New("not an IP address or CIDR prefix")

// ParseProxies reads addresses ("10.0.0.1", "::1") and CIDR prefixes
// ("10.0.0.0/8", "fd00::/8") into a trusted set.
func ParseProxies(items []string) (Proxies, error) {
	var p Proxies
	for _, it := range items {
		it = strings.TrimSpace(it)
		if strings.Contains(it, "/") {
			pre, err := netip.ParsePrefix(it)
			if err != nil {
				return Proxies{}, fmt.Errorf("%q: %w", it, ErrBadProxy)
			}
			p.prefixes = append(p.prefixes, pre.Masked())
			continue
		}
		a, err := netip.ParseAddr(it)
		if err != nil || a.Zone() != "" {
			return Proxies{}, fmt.Errorf("%q: %w", it, ErrBadProxy)
		}
		a = a.Unmap()
		p.prefixes = append(p.prefixes, netip.PrefixFrom(a, a.BitLen()))
	}
	return p, nil
}

// Empty reports whether nobody is trusted.
func (p Proxies) Empty() bool { return len(p.prefixes) == 0 }

// Trusted reports whether a is a trusted proxy.
func (p Proxies) Trusted(a netip.Addr) bool {
	a = a.Unmap()
	for _, pre := range p.prefixes {
		if pre.Contains(a) {
			return true
		}
	}
	return false
}

// Client returns the address of the client behind a request from the peer
// remote (http.Request.RemoteAddr) with headers h; the zero Addr when remote
// is not an address at all.
func (p Proxies) Client(remote string, h http.Header) netip.Addr {
	peer := ParseRemote(remote)
	if !peer.IsValid() || !p.Trusted(peer) {
		return peer
	}
	if hops := h.Values("X-Forwarded-For"); len(hops) > 0 {
		return p.walk(peer, listItems(hops), parseNode)
	}
	if els := h.Values("Forwarded"); len(els) > 0 {
		return p.walk(peer, forValues(els), parseForwardedNode)
	}
	return peer
}

// walk goes through hops from the right, as each trusted proxy appended the
// address it saw. The client is the first untrusted address. A hop that is
// not an address (an obfuscated identifier, "unknown", garbage) ends the
// walk: the client is then the last address seen, the one that handed it
// over. When every hop is trusted, the left-most is the client.
func (p Proxies) walk(peer netip.Addr, hops []string, parse func(string) (netip.Addr, bool)) netip.Addr {
	client := peer
	for i := len(hops) - 1; i >= 0; i-- {
		a, ok := parse(hops[i])
		if !ok {
			return client
		}
		client = a
		if !p.Trusted(a) {
			return a
		}
	}
	return client
}

// Origin returns the scheme and host a client used to reach the server
// through trusted proxies, from X-Forwarded-Proto and X-Forwarded-Host (or
// Forwarded: proto= host=); empty strings for what no trusted proxy said.
// From an untrusted peer both are always empty.
func (p Proxies) Origin(remote string, h http.Header) (scheme, host string) {
	peer := ParseRemote(remote)
	if !peer.IsValid() || !p.Trusted(peer) {
		return "", ""
	}
	// The right-most value is the one the trusted proxy next to us set;
	// anything left of it came from further away, the client included,
	// and may be forged.
	if v := listItems(h.Values("X-Forwarded-Proto")); len(v) > 0 {
		scheme = cleanScheme(v[len(v)-1])
	}
	if v := listItems(h.Values("X-Forwarded-Host")); len(v) > 0 {
		host = cleanHost(v[len(v)-1])
	}
	if scheme != "" || host != "" {
		return scheme, host
	}
	els := elements(h.Values("Forwarded"))
	for i := len(els) - 1; i >= 0; i-- {
		el := els[i]
		for _, pair := range el {
			switch pair.key {
			case "proto":
				if scheme == "" {
					scheme = cleanScheme(pair.value)
				}
			case "host":
				if host == "" {
					host = cleanHost(pair.value)
				}
			}
		}
		if scheme != "" || host != "" {
			break // only the last element that says something
		}
	}
	return scheme, host
}

// ParseRemote reads an http.Request.RemoteAddr ("ip:port", or a bare ip)
// into an address without zone, IPv4-mapped addresses as IPv4.
func ParseRemote(remote string) netip.Addr {
	host, _, err := net.SplitHostPort(remote)
	if err != nil {
		host = remote
	}
	a, err := netip.ParseAddr(host)
	if err != nil {
		return netip.Addr{}
	}
	return a.WithZone("").Unmap()
}

// parseNode reads one X-Forwarded-For hop: an address, maybe with a port,
// IPv6 maybe in brackets.
func parseNode(s string) (netip.Addr, bool) {
	if ap, err := netip.ParseAddrPort(s); err == nil {
		return ap.Addr().WithZone("").Unmap(), true
	}
	s = strings.TrimSuffix(strings.TrimPrefix(s, "["), "]")
	a, err := netip.ParseAddr(s)
	if err != nil {
		return netip.Addr{}, false
	}
	return a.WithZone("").Unmap(), true
}

// parseForwardedNode reads an RFC 7239 node (section 6): an IPv4 address,
// a bracketed IPv6 address, either with an optional port, or an obfuscated
// identifier or "unknown", which name no address.
func parseForwardedNode(s string) (netip.Addr, bool) {
	if strings.HasPrefix(s, "[") {
		end := strings.IndexByte(s, ']')
		if end < 0 {
			return netip.Addr{}, false
		}
		a, err := netip.ParseAddr(s[1:end])
		if err != nil || !a.Is6() {
			return netip.Addr{}, false
		}
		if rest := s[end+1:]; rest != "" && !validPort(rest) {
			return netip.Addr{}, false
		}
		return a.WithZone("").Unmap(), true
	}
	host, port, found := strings.Cut(s, ":")
	if found && !validPort(":"+port) {
		return netip.Addr{}, false
	}
	a, err := netip.ParseAddr(host)
	if err != nil || !a.Is4() {
		return netip.Addr{}, false
	}
	return a, true
}

// validPort checks ":" node-port of RFC 7239: 1-5 digits, or an obfuscated
// port ("_" and letters, digits, ".", "_", "-").
func validPort(s string) bool {
	if len(s) < 2 || s[0] != ':' {
		return false
	}
	s = s[1:]
	if s[0] == '_' {
		for i := 1; i < len(s); i++ {
			if !isObfChar(s[i]) {
				return false
			}
		}
		return true
	}
	if len(s) > 5 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

func isObfChar(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.' || c == '_' || c == '-'
}

// listItems splits comma-separated header values, in order across lines,
// trimmed, empty items dropped.
func listItems(lines []string) []string {
	var out []string
	for _, line := range lines {
		for item := range strings.SplitSeq(line, ",") {
			if item = strings.TrimSpace(item); item != "" {
				out = append(out, item)
			}
		}
	}
	return out
}

// cleanScheme accepts only http and https.
func cleanScheme(s string) string {
	switch s = strings.ToLower(strings.TrimSpace(s)); s {
	case "http", "https":
		return s
	}
	return ""
}

// cleanHost accepts a host[:port] made of the characters a URL's authority
// may hold, at most 255 bytes; anything else is dropped, so that a
// forwarded host can never break out of the URLs it is put in.
func cleanHost(s string) string {
	s = strings.ToLower(strings.TrimSpace(s))
	if s == "" || len(s) > 255 {
		return ""
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '.' || c == '-' || c == '_' || c == ':' || c == '[' || c == ']') {
			return ""
		}
	}
	if !strings.ContainsAny(s, ":[]") {
		return s
	}
	if s[0] == '[' && s[len(s)-1] == ']' { // an IPv6 literal without port
		if a, err := netip.ParseAddr(s[1 : len(s)-1]); err == nil && a.Is6() {
			return s
		}
		return ""
	}
	host, port, err := net.SplitHostPort(s)
	if err != nil || port == "" || len(port) > 5 || strings.Trim(port, "0123456789") != "" {
		return ""
	}
	if strings.ContainsAny(host, ":") { // IPv6: must have been bracketed and valid
		if a, err := netip.ParseAddr(host); err != nil || !a.Is6() {
			return ""
		}
	} else if strings.ContainsAny(host, "[]") {
		return ""
	}
	return s
}
