package main

import (
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/url"
	"path"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"

	"mellium.im/xmpp/jid"

	"badges/presence"
	"badges/xmpp"
)

// The parsers below get text already trimmed of surrounding white space.
// Their errors say what is wrong, not which setting: the loader adds that.

func parseEnum(s string, allowed ...string) (string, error) {
	if v := strings.ToLower(s); slices.Contains(allowed, v) {
		return v, nil
	}
	return "", fmt.Errorf("must be %s or %s", strings.Join(allowed[:len(allowed)-1], ", "), allowed[len(allowed)-1])
}

func parseBool(s string) (bool, error) {
	b, err := strconv.ParseBool(s)
	if err != nil {
		return false, errors.New("must be true or false")
	}
	return b, nil
}

func parseDuration(s string) (time.Duration, error) {
	d, err := time.ParseDuration(s)
	if err != nil {
		return 0, err
	}
	if d <= 0 {
		return 0, errors.New("must be positive")
	}
	return d, nil
}

// parseRedisURL checks a -redis URL: redis:// or rediss:// with a host.
// Its text is never quoted in an error: it may hold a password.
func parseRedisURL(s string) (string, error) {
	if s == "" {
		return "", nil
	}
	u, err := url.Parse(s)
	if err != nil {
		return "", errors.New("not a URL")
	}
	if u.Scheme != "redis" && u.Scheme != "rediss" {
		return "", errors.New("want a redis:// or rediss:// URL")
	}
	if u.Host == "" {
		return "", errors.New("the URL names no host")
	}
	return s, nil
}

// parseLeaseTTL checks -lease-ttl: at most 10 s, so that a standby takes
// over within 15 s of the holder's death (docs/API.md#storage-and-scale).
func parseLeaseTTL(s string) (time.Duration, error) {
	return parseDurationIn(s, time.Second, 10*time.Second, "from 1s to 10s")
}

// parseExpiryClaim checks -expiry-claim: long enough for a write to
// Redis to answer (2 s at most), short enough that an expiry claimed by a
// replica that died is not late by much.
func parseExpiryClaim(s string) (time.Duration, error) {
	return parseDurationIn(s, time.Second, time.Minute, "from 1s to 1m")
}

// parseDurationIn is parseDuration within [lo, hi], which span words.
func parseDurationIn(s string, lo, hi time.Duration, span string) (time.Duration, error) {
	d, err := parseDuration(s)
	if err != nil {
		return 0, err
	}
	if d < lo || d > hi {
		return 0, errors.New("must be " + span)
	}
	return d, nil
}

func parseLogLevel(s string) (slog.Level, error) {
	name, err := parseEnum(s, "debug", "info", "warn", "error")
	if err != nil {
		return 0, err
	}
	var l slog.Level
	return l, l.UnmarshalText([]byte(name))
}

// parseHostPort checks a host:port address. The listen address may leave the
// host empty (every interface) and use port 0 (any free port, for tests); an
// address to dial needs both.
func parseHostPort(s string, dial bool) (string, error) {
	if s == "" && dial {
		return "", nil // xmpp-server: empty means look it up
	}
	host, port, err := net.SplitHostPort(s)
	if err != nil {
		return "", fmt.Errorf("must be host:port: %v", err)
	}
	if host != "" || dial {
		if _, err := parseHost(host); err != nil {
			return "", err
		}
	}
	lowest := 0
	if dial {
		lowest = 1
	}
	if n, err := strconv.Atoi(port); err != nil || n < lowest || n > 65535 {
		return "", fmt.Errorf("port %q: must be a number from %d to 65535", port, lowest)
	}
	return s, nil
}

// parseHost accepts a host name or an IP address (IPv6 with or without
// brackets) and returns it lower-case, IPv6 without brackets, as
// url.URL.Hostname reports hosts.
func parseHost(s string) (string, error) {
	h := strings.ToLower(s)
	if len(h) > 2 && h[0] == '[' && h[len(h)-1] == ']' {
		h = h[1 : len(h)-1]
		if ip := net.ParseIP(h); ip != nil {
			return ip.String(), nil
		}
		return "", fmt.Errorf("%q: not an IP address", s)
	}
	if ip := net.ParseIP(h); ip != nil {
		return ip.String(), nil
	}
	if !isHostname(h) {
		return "", fmt.Errorf("%q: not a host name or IP address", s)
	}
	return h, nil
}

// isHostname reports whether h is a DNS name: dot-separated labels of
// letters, digits, hyphens and underscores (seen in real names), each at most
// 63 bytes and not starting or ending with a hyphen.
func isHostname(h string) bool {
	h = strings.TrimSuffix(h, ".")
	if h == "" || len(h) > 253 {
		return false
	}
	for label := range strings.SplitSeq(h, ".") {
		if label == "" || len(label) > 63 || label[0] == '-' || label[len(label)-1] == '-' {
			return false
		}
		for _, r := range label {
			if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-' || r == '_') {
				return false
			}
		}
	}
	return true
}

// parsePublicURL accepts an absolute http or https URL without query,
// fragment or user info, and drops a trailing slash so that paths can be
// appended to it.
func parsePublicURL(s string) (*url.URL, error) {
	if s == "" {
		return nil, nil
	}
	u, err := url.Parse(s)
	if err != nil {
		return nil, err
	}
	u.Scheme = strings.ToLower(u.Scheme)
	switch {
	case u.Scheme != "http" && u.Scheme != "https":
		return nil, errors.New("must be an absolute http or https URL")
	case u.Opaque != "" || u.Host == "":
		return nil, errors.New("must have a host")
	case u.User != nil:
		return nil, errors.New("must not contain user info")
	case u.RawQuery != "" || u.ForceQuery:
		return nil, errors.New("must not have a query")
	case u.Fragment != "" || strings.Contains(s, "#"):
		return nil, errors.New("must not have a fragment")
	}
	if _, err := parseHost(u.Hostname()); err != nil {
		return nil, err
	}
	u.Path = strings.TrimRight(u.Path, "/")
	u.RawPath = strings.TrimRight(u.RawPath, "/")
	return u, nil
}

func parseDir(s string) (string, error) {
	if s == "" {
		return "", errors.New("must not be empty")
	}
	return s, nil
}

// parseResource accepts a resourcepart, which is also what a MUC nickname is.
func parseResource(s string) (string, error) {
	if s == "" {
		return "", errors.New("must not be empty")
	}
	j, err := jid.New("", "example.net", s)
	if err != nil {
		return "", fmt.Errorf("not a valid resource: %v", err)
	}
	return j.Resourcepart(), nil
}

func parseBareJID(s string) (string, error) { return presence.ParseJID(s) }

func parseRoom(s string) (string, error) { return presence.ParseRoom(s) }

// parseOrigin checks an origin pattern in the path.Match syntax the
// WebSocket library matches origins with, lower-cased as it compares them.
func parseOrigin(s string) (string, error) {
	p := strings.ToLower(s)
	if strings.ContainsFunc(p, unicode.IsSpace) {
		return "", fmt.Errorf("%q: contains white space", s)
	}
	if _, err := path.Match(p, ""); err != nil {
		return "", fmt.Errorf("%q: %v", s, err)
	}
	return p, nil
}

// parseItems parses each item of a list with parse and drops duplicates
// after normalisation, keeping the first.
func parseItems(items []string, parse func(string) (string, error)) ([]string, error) {
	var out []string
	for _, it := range items {
		v, err := parse(it)
		if err != nil {
			return nil, err
		}
		if !slices.Contains(out, v) {
			out = append(out, v)
		}
	}
	return out, nil
}

// checkKeys does the one check API keys get here: a key travels in an
// Authorization header, so it cannot hold white space or control characters.
// Their syntax is parsed where they are used. Errors name the key's position,
// never its text.
func checkKeys(keys []string) ([]string, error) {
	for i, k := range keys {
		if strings.ContainsFunc(k, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) }) {
			return nil, fmt.Errorf("key %d contains white space or a control character", i+1)
		}
	}
	return keys, nil
}

// check validates what no single setting can: the combinations.
func (c *Config) check() error {
	switch {
	case c.XMPPJID != "" && c.XMPPPassword == "":
		return errors.New("xmpp-jid is set but xmpp-password is empty")
	case c.Subscriptions == "domains" && len(c.AllowDomains) == 0:
		return errors.New("subscriptions=domains needs allow-domains")
	case c.Visibility == "signed" && c.TokenSecret == "":
		return errors.New("visibility=signed needs token-secret")
	case (c.TLSCert == "") != (c.TLSKey == ""):
		return errors.New("tls-cert and tls-key go together: set both or neither")
	case c.MetricsListen != "" && c.MetricsListen == c.Listen:
		return errors.New("metrics-listen must differ from listen")
	case c.XMPPTLS == "none" && !xmpp.PlainAllowed(c.XMPPServer):
		return fmt.Errorf("xmpp-tls=none sends the password in plain text: it needs xmpp-server on a loopback address, got %q", c.XMPPServer)
	}
	return nil
}
