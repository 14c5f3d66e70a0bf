package xmpp

import (
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"strings"
	"time"

	"badges/presence"
)

// TLSMode says how the connection to the server is secured.
type TLSMode string

// The TLS modes of docs/API.md#configuration (-xmpp-tls).
const (
	// TLSStartTLS upgrades a plain connection with STARTTLS (RFC 6120 5),
	// and refuses servers that do not offer it.
	TLSStartTLS TLSMode = "starttls"
	// TLSDirect speaks TLS from the first byte (XEP-0368).
	TLSDirect TLSMode = "direct"
	// TLSNone sends everything in the clear; allowed only to a loopback
	// server, where no one can listen in.
	TLSNone TLSMode = "none"
)

// Policy says who may opt in by subscribing to the watcher.
type Policy string

// The subscription policies of docs/API.md#configuration (-subscriptions).
const (
	PolicyOpen    Policy = "open"
	PolicyDomains Policy = "domains"
	PolicyClosed  Policy = "closed"
)

// Defaults of docs/API.md#configuration and docs/DESIGN.md "The watcher".
const (
	DefaultResource     = "badges"
	DefaultRoomNick     = "badges"
	DefaultPingInterval = 60 * time.Second
	DefaultBackoffBase  = 500 * time.Millisecond
	DefaultBackoffCap   = 30 * time.Second
)

// Config configures a Watcher. The zero values of optional fields take the
// defaults above.
type Config struct {
	// JID is the watcher's account, a bare JID.
	JID string
	// Password of the account. It is never logged.
	Password string
	// Server is "host:port"; empty means the DNS SRV record of the JID's
	// domain, else the domain on the standard port.
	Server string
	// TLS is the TLS mode; empty means TLSStartTLS.
	TLS TLSMode
	// TLSConfig, if set, is used for the TLS handshake (tests pass a pool
	// with a self-signed root). Its ServerName defaults to the JID's domain.
	TLSConfig *tls.Config
	// Resource of the watcher's session.
	Resource string
	// Policy for incoming subscription requests; empty means PolicyOpen.
	Policy Policy
	// AllowDomains are the domains that may opt in under PolicyDomains.
	AllowDomains []string
	// Watch are JIDs the watcher asks to subscribe to at start. They may
	// opt in under every policy: the operator asked for them.
	Watch []string
	// Rooms are multi-user chat rooms to join and count.
	Rooms []string
	// RoomNick is the watcher's nickname in rooms.
	RoomNick string
	// PingInterval is the period of the XEP-0199 keepalive. A ping not
	// answered within half of it marks the connection dead.
	PingInterval time.Duration
	// BackoffBase and BackoffCap bound the full-jitter reconnect delays.
	BackoffBase, BackoffCap time.Duration
	// Logger receives the watcher's logs; nil means slog.Default().
	Logger *slog.Logger
	// Avatars receives the contacts' pictures; nil: pictures are not
	// fetched.
	Avatars Avatars
}

// ConfigError names the Config field that is wrong.
type ConfigError struct {
	Field  string // the Config field, e.g. "TLS"
	Reason string
}

func (e *ConfigError) Error() string { return "xmpp: " + e.Field + ": " + e.Reason }

// LogValue keeps the password out of logs.
func (c Config) LogValue() slog.Value {
	return slog.GroupValue(
		slog.String("jid", c.JID), slog.String("server", c.Server),
		slog.String("tls", string(c.TLS)), slog.String("resource", c.Resource),
		slog.String("policy", string(c.Policy)), slog.Any("rooms", c.Rooms),
		slog.Any("watch", c.Watch), slog.Duration("ping_interval", c.PingInterval),
	)
}

// String keeps the password out of formatted output (%v, %+v, %s).
func (c Config) String() string { return c.LogValue().String() }

// GoString keeps the password out of %#v.
func (c Config) GoString() string { return "xmpp.Config" + c.String() }

// normalize checks cfg, fills in defaults and returns the normalised copy.
func (c Config) normalize() (Config, error) {
	bad := func(field, format string, a ...any) (Config, error) {
		return Config{}, &ConfigError{Field: field, Reason: fmt.Sprintf(format, a...)}
	}
	j, err := ParseAccountJID(c.JID)
	if err != nil || j == "" {
		return bad("JID", "%q is not a bare JID of an account (user@domain)", c.JID)
	}
	c.JID = j
	if c.Password == "" {
		return bad("Password", "empty")
	}
	if c.TLS == "" {
		c.TLS = TLSStartTLS
	}
	switch c.TLS {
	case TLSStartTLS, TLSDirect:
	case TLSNone:
		if !PlainAllowed(c.Server) {
			return bad("TLS", "%q (plain) is allowed only with a loopback server address (127.0.0.1:port, [::1]:port, localhost:port), not %q",
				c.TLS, c.Server)
		}
	default:
		return bad("TLS", "%q: want starttls, direct or none", c.TLS)
	}
	if c.Server != "" {
		if _, port, err := net.SplitHostPort(c.Server); err != nil || port == "" {
			return bad("Server", "%q: want host:port", c.Server)
		}
	}
	if c.Resource == "" {
		c.Resource = DefaultResource
	}
	if strings.ContainsAny(c.Resource, "<>&'\"/") || strings.TrimSpace(c.Resource) != c.Resource {
		return bad("Resource", "%q: must not contain spaces at the ends, /, <, >, &, ' or \"", c.Resource)
	}
	if c.Policy == "" {
		c.Policy = PolicyOpen
	}
	switch c.Policy {
	case PolicyOpen, PolicyDomains, PolicyClosed:
	default:
		return bad("Policy", "%q: want open, domains or closed", c.Policy)
	}
	doms := make([]string, 0, len(c.AllowDomains))
	for _, d := range c.AllowDomains {
		n, err := ParseDomain(d)
		if err != nil {
			return bad("AllowDomains", "%v", err)
		}
		doms = append(doms, n)
	}
	c.AllowDomains = doms
	if c.Policy == PolicyDomains && len(doms) == 0 {
		return bad("AllowDomains", "empty, but the policy is %q", PolicyDomains)
	}
	watch := make([]string, 0, len(c.Watch))
	for _, w := range c.Watch {
		n, err := presence.ParseJID(w)
		if err != nil {
			return bad("Watch", "%v", err)
		}
		watch = append(watch, n)
	}
	c.Watch = watch
	rooms := make([]string, 0, len(c.Rooms))
	for _, r := range c.Rooms {
		n, err := presence.ParseRoom(r)
		if err != nil {
			return bad("Rooms", "%v", err)
		}
		rooms = append(rooms, n)
	}
	c.Rooms = rooms
	if c.RoomNick == "" {
		c.RoomNick = DefaultRoomNick
	}
	if c.PingInterval == 0 {
		c.PingInterval = DefaultPingInterval
	}
	if c.PingInterval < 0 {
		return bad("PingInterval", "negative")
	}
	if c.BackoffBase <= 0 {
		c.BackoffBase = DefaultBackoffBase
	}
	if c.BackoffCap <= 0 {
		c.BackoffCap = DefaultBackoffCap
	}
	if c.Logger == nil {
		c.Logger = slog.Default()
	}
	tc := &tls.Config{MinVersion: tls.VersionTLS12}
	if c.TLSConfig != nil {
		tc = c.TLSConfig.Clone()
	}
	if tc.ServerName == "" {
		// RFC 7590 3.2: the reference identity is the JID's domain, not
		// the host an SRV record or -xmpp-server points to.
		tc.ServerName = presence.Domain(c.JID)
	}
	c.TLSConfig = tc
	return c, nil
}

// The rules below are the one place for the watcher's own settings: the
// configuration loader of cmd/badges applies them to flags and the
// environment, and normalize to a Config handed to New directly.

// ParseAccountJID accepts the watcher's own account: a bare JID with a
// local part (user@domain), returned normalised; "" stays "" (no watcher).
func ParseAccountJID(s string) (string, error) {
	if s == "" {
		return "", nil
	}
	bare, err := presence.ParseJID(s)
	if err != nil {
		return "", err
	}
	if presence.Local(bare) == "" {
		return "", errors.New("needs a local part: user@domain")
	}
	if strings.Contains(s, "/") {
		return "", errors.New("must be a bare JID; set the resource with -xmpp-resource")
	}
	return bare, nil
}

// ParseDomain accepts a domain as a JID's domainpart, normalised the same
// way, so that it compares equal to presence.Domain of a parsed JID.
func ParseDomain(s string) (string, error) {
	bare, err := presence.ParseJID(s)
	if err != nil || bare != presence.Domain(bare) || strings.Contains(s, "/") {
		return "", fmt.Errorf("%q: not a domain", s)
	}
	return bare, nil
}

// PlainAllowed reports whether TLSNone may be used with server: only on a
// loopback address (127.0.0.1:port, [::1]:port, localhost:port), since it
// sends the password in plain text.
func PlainAllowed(server string) bool {
	host, _, err := net.SplitHostPort(server)
	if err != nil {
		return false
	}
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
