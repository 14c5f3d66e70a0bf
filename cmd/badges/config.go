package main

import (
	"fmt"
	"log/slog"
	"net/url"
	"strings"
	"time"

	"badges/presence"
)

// Config is the whole configuration of docs/API.md#configuration, validated and
// normalised by loadConfig. Enumerations hold their lower-case names.
type Config struct {
	Listen    string   // HTTP address, host:port; an empty host means every interface
	PublicURL *url.URL // base URL of generated snippets, without trailing slash; nil: from the request
	Data      string   // directory of the embedded store

	XMPPJID       string   // the watcher's bare JID; empty: no XMPP watcher
	XMPPPassword  string   // secret
	XMPPServer    string   // host:port to dial; empty: SRV lookup, else the JID's domain on 5222
	XMPPTLS       string   // "starttls", "direct" or "none" (loopback only)
	XMPPResource  string   // resource of the watcher
	Subscriptions string   // who may opt in: "open", "domains" or "closed"
	AllowDomains  []string // domains allowed under Subscriptions "domains", normalised
	Watch         []string // bare JIDs the watcher asks to subscribe to at start, normalised
	Rooms         []string // MUC rooms the watcher joins, normalised
	RoomNick      string   // the watcher's nickname in Rooms

	StaleAfter   time.Duration     // how long the watcher may be disconnected before XMPP statuses turn unknown
	ShowMessages bool              // whether status texts are served at all
	Share        presence.FieldSet // what is served of what users publish; -show-messages=false takes out the message

	APIKeys     []string      // secret; write API keys in the raw syntax of docs/API.md#writing-presence
	TokenSecret string        // secret; HMAC key of user tokens and signed URLs; empty disables both
	TokenTTL    time.Duration // lifetime of a user token
	Visibility  string        // "public", or "signed": reads need ?sig=

	RedirectHosts []string // host names the Openfire images redirect may point to, lower-case
	Origins       []string // origin patterns allowed for WebSocket, lower-case

	Redis    string        // secret (may hold a password); URL of the shared Redis; empty: the embedded store
	LeaseTTL time.Duration // time to live of the watcher's lease under Redis
	// ExpiryClaim: how long a claimed http-source expiry stays with a replica
	ExpiryClaim time.Duration

	LogLevel  slog.Level
	LogFormat string // "text" or "json"

	TrustedProxies []string // addresses and CIDR prefixes of trusted reverse proxies, as given
	TLSCert        string   // PEM certificate chain file; with TLSKey: HTTPS on Listen
	TLSKey         string   // PEM key file of TLSCert
	BasePath       string   // prefix of every route, "/p" without trailing slash; "" for the root
	MetricsListen  string   // host:port serving /metrics instead of Listen; empty: on Listen

	WSPerClient    int     // open WebSockets per client address
	WSMax          int     // open WebSockets in all
	WSConnectRate  float64 // WebSocket connects per second per client
	WSConnectBurst int     // burst of WSConnectRate
	WriteRate      float64 // presence writes per second per client
	WriteBurst     int     // burst of WriteRate
	CacheBytes     int64   // bytes of all caches of images and answers together

	ConfigFile string   // the TOML file read, from -config or BADGES_CONFIG; empty: none
	Args       []string // command-line arguments left after the flags
}

// redacted stands in for a secret in logs and printed configurations.
const redacted = "[redacted]"

// LogValue presents the configuration to log/slog with every secret
// redacted: a set secret shows as "[redacted]", an unset one as "", so the
// log still tells whether it was given.
func (c Config) LogValue() slog.Value {
	publicURL := ""
	if c.PublicURL != nil {
		publicURL = c.PublicURL.String()
	}
	return slog.GroupValue(
		slog.String("listen", c.Listen),
		slog.String("public-url", publicURL),
		slog.String("data", c.Data),
		slog.String("xmpp-jid", c.XMPPJID),
		logText("xmpp-password", c.XMPPPassword),
		slog.String("xmpp-server", c.XMPPServer),
		slog.String("xmpp-tls", c.XMPPTLS),
		slog.String("xmpp-resource", c.XMPPResource),
		slog.String("subscriptions", c.Subscriptions),
		slog.Any("allow-domains", c.AllowDomains),
		slog.Any("watch", c.Watch),
		slog.Any("rooms", c.Rooms),
		slog.String("room-nick", c.RoomNick),
		slog.Duration("stale-after", c.StaleAfter),
		slog.Bool("show-messages", c.ShowMessages),
		slog.String("share", c.Share.String()),
		logText("api-keys", c.APIKeys...),
		logText("token-secret", c.TokenSecret),
		slog.Duration("token-ttl", c.TokenTTL),
		slog.String("visibility", c.Visibility),
		slog.Any("redirect-hosts", c.RedirectHosts),
		slog.Any("origins", c.Origins),
		logText("redis", c.Redis),
		slog.Duration("lease-ttl", c.LeaseTTL),
		slog.Duration("expiry-claim", c.ExpiryClaim),
		slog.String("log-level", strings.ToLower(c.LogLevel.String())),
		slog.String("log-format", c.LogFormat),
		slog.Any("trusted-proxies", c.TrustedProxies),
		slog.String("tls-cert", c.TLSCert),
		slog.String("tls-key", c.TLSKey),
		slog.String("base-path", c.BasePath),
		slog.String("metrics-listen", c.MetricsListen),
		slog.Int("ws-per-client", c.WSPerClient),
		slog.Int("ws-max", c.WSMax),
		slog.Float64("ws-connect-rate", c.WSConnectRate),
		slog.Int("ws-connect-burst", c.WSConnectBurst),
		slog.Float64("write-rate", c.WriteRate),
		slog.Int("write-burst", c.WriteBurst),
		slog.Int64("cache-bytes", c.CacheBytes),
		slog.String("config", c.ConfigFile),
	)
}

// Format prints the redacted form of LogValue for every verb, so that
// fmt.Print(cfg) or a stray %+v cannot leak a secret either.
func (c Config) Format(f fmt.State, _ rune) {
	fmt.Fprint(f, c.LogValue())
}

// logText is a text setting's value for the log: a setting the settings
// table marks secret (the one list of secrets) shows only whether it is
// set, and a secret list how many items it has.
func logText(name string, vals ...string) slog.Attr {
	if !settingByName(name).secret {
		return slog.String(name, strings.Join(vals, ","))
	}
	switch {
	case len(vals) == 0 || len(vals) == 1 && vals[0] == "":
		return slog.String(name, "")
	case len(vals) == 1 && settingByName(name).kind == kindText:
		return slog.String(name, redacted)
	}
	return slog.String(name, fmt.Sprintf("%d keys %s", len(vals), redacted))
}

// settingByName returns the setting called name, the zero setting when
// there is none.
func settingByName(name string) setting {
	for _, s := range settings {
		if s.name == name {
			return s
		}
	}
	return setting{}
}
