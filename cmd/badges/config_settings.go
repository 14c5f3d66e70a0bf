package main

import (
	"strings"

	"badges/presence"
	"badges/xmpp"
)

// kind says how a setting's value is written in each source.
type kind int

const (
	kindText   kind = iota // one value; a string in TOML
	kindBool               // true or false (anything strconv.ParseBool takes); a boolean in TOML
	kindList               // comma-separated in flags and environment; an array of strings in TOML
	kindKeys               // white-space-separated in flags and environment, one per line in a file; an array in TOML
	kindNumber             // a number, or a string such as "64MiB"; a number or a string in TOML
)

// setting is one configuration value: its names, its default and how it
// lands in Config. The flag is -name, the environment variable envName(name),
// the TOML key name.
type setting struct {
	name  string
	usage string // flag usage; a `quoted` word names the flag's argument
	def   string // the default, written as a flag would give it
	kind  kind
	// secret: may also come from the file named by envName(name)+"_FILE",
	// and its value is never quoted in an error.
	secret bool
	apply  func(c *Config, v value) error
}

// value is one setting's value from the source that won: text for kindText
// and kindBool, items (trimmed, none empty) for the list kinds.
type value struct {
	text  string
	items []string
}

// envName maps a setting to its environment variable: xmpp-tls -> BADGES_XMPP_TLS.
func envName(name string) string {
	return "BADGES_" + strings.ToUpper(strings.ReplaceAll(name, "-", "_"))
}

// configSetting is -config: where the TOML file is. It is read before the
// others and cannot itself be set in the file.
const configSetting = "config"

// settings lists every setting of docs/API.md#configuration in the order of its table;
// usage text and error precedence follow this order.
var settings = []setting{
	{name: "listen", def: ":8080",
		usage: "HTTP `address` to listen on, host:port (empty host: every interface)",
		apply: func(c *Config, v value) (err error) { c.Listen, err = parseHostPort(v.text, false); return }},
	{name: "public-url",
		usage: "base `URL` used in generated snippets, http or https without query (default: from the request)",
		apply: func(c *Config, v value) (err error) { c.PublicURL, err = parsePublicURL(v.text); return }},
	{name: "data", def: "./data",
		usage: "`directory` of the embedded store",
		apply: func(c *Config, v value) (err error) { c.Data, err = parseDir(v.text); return }},
	{name: "xmpp-jid",
		usage: "bare `JID` of the watcher's account (empty: no XMPP watcher)",
		apply: func(c *Config, v value) (err error) { c.XMPPJID, err = xmpp.ParseAccountJID(v.text); return }},
	{name: "xmpp-password", secret: true,
		usage: "`password` of the watcher's account (or BADGES_XMPP_PASSWORD_FILE)",
		apply: func(c *Config, v value) error { c.XMPPPassword = v.text; return nil }},
	{name: "xmpp-server",
		usage: "`host:port` to connect to (default: SRV records, else the JID's domain on port 5222)",
		apply: func(c *Config, v value) (err error) { c.XMPPServer, err = parseHostPort(v.text, true); return }},
	{name: "xmpp-tls", def: "starttls",
		usage: "`mode`: starttls, direct, or none (plain text; for a server on loopback only)",
		apply: func(c *Config, v value) (err error) {
			c.XMPPTLS, err = parseEnum(v.text, "starttls", "direct", "none")
			return
		}},
	{name: "xmpp-resource", def: "badges",
		usage: "`resource` of the watcher",
		apply: func(c *Config, v value) (err error) { c.XMPPResource, err = parseResource(v.text); return }},
	{name: "subscriptions", def: "open",
		usage: "`policy` of who may opt in: open, domains (see -allow-domains) or closed",
		apply: func(c *Config, v value) (err error) {
			c.Subscriptions, err = parseEnum(v.text, "open", "domains", "closed")
			return
		}},
	{name: "allow-domains", kind: kindList,
		usage: "comma-separated `domains` allowed under -subscriptions=domains",
		apply: func(c *Config, v value) (err error) {
			c.AllowDomains, err = parseItems(v.items, xmpp.ParseDomain)
			return
		}},
	{name: "watch", kind: kindList,
		usage: "comma-separated `JIDs` the watcher asks to subscribe to at start",
		apply: func(c *Config, v value) (err error) { c.Watch, err = parseItems(v.items, parseBareJID); return }},
	{name: "rooms", kind: kindList,
		usage: "comma-separated MUC `rooms` the watcher joins",
		apply: func(c *Config, v value) (err error) { c.Rooms, err = parseItems(v.items, parseRoom); return }},
	{name: "room-nick", def: "badges",
		usage: "the watcher's `nickname` in rooms",
		apply: func(c *Config, v value) (err error) { c.RoomNick, err = parseResource(v.text); return }},
	{name: "stale-after", def: "2m",
		usage: "after this `duration` disconnected from XMPP, statuses become unknown",
		apply: func(c *Config, v value) (err error) { c.StaleAfter, err = parseDuration(v.text); return }},
	{name: "show-messages", kind: kindBool, def: "true",
		usage: "serve status texts at all",
		apply: func(c *Config, v value) (err error) { c.ShowMessages, err = parseBool(v.text); return }},
	{name: "share", kind: kindList, def: "message,name,avatar,tune,mood,activity,devices,idle",
		usage: "comma-separated `fields` served of what users publish (message name avatar tune mood activity devices idle, all, none)",
		apply: func(c *Config, v value) (err error) {
			c.Share, err = presence.ParseFieldSet(strings.Join(v.items, ","))
			return
		}},
	{name: "api-keys", kind: kindKeys, secret: true,
		usage: "`keys` for the write API, separated by spaces or newlines, NOT commas:\n" +
			"a key's own syntax contains commas: KEY or KEY:domain=a.example,b.example:regex=^/api/v1/presence/\n" +
			"(or BADGES_API_KEYS_FILE: one key per line, lines starting with # are comments)",
		apply: func(c *Config, v value) (err error) { c.APIKeys, err = checkKeys(v.items); return }},
	{name: "token-secret", secret: true,
		usage: "HMAC `secret` for user tokens and signed URLs; empty disables both (or BADGES_TOKEN_SECRET_FILE)",
		apply: func(c *Config, v value) error { c.TokenSecret = v.text; return nil }},
	{name: "token-ttl", def: "5m",
		usage: "lifetime of a user token, a `duration`",
		apply: func(c *Config, v value) (err error) { c.TokenTTL, err = parseDuration(v.text); return }},
	{name: "visibility", def: "public",
		usage: "`mode`: public, or signed: reads need ?sig= (see badges sign; needs -token-secret)",
		apply: func(c *Config, v value) (err error) {
			c.Visibility, err = parseEnum(v.text, "public", "signed")
			return
		}},
	{name: "redirect-hosts", kind: kindList,
		usage: "comma-separated `hosts` the Openfire images redirect may point to",
		apply: func(c *Config, v value) (err error) { c.RedirectHosts, err = parseItems(v.items, parseHost); return }},
	{name: "origins", kind: kindList, def: "*",
		usage: "comma-separated origin `patterns` allowed for WebSocket (path.Match syntax)",
		apply: func(c *Config, v value) (err error) { c.Origins, err = parseItems(v.items, parseOrigin); return }},
	{name: "redis", secret: true,
		usage: "`URL` of the Redis that replicas share, redis:// or rediss:// (with ?master_name=NAME: a Sentinel);\n" +
			"empty: the embedded store in -data (or BADGES_REDIS_FILE)",
		apply: func(c *Config, v value) (err error) { c.Redis, err = parseRedisURL(v.text); return }},
	{name: "lease-ttl", def: "10s",
		usage: "under -redis, time to live of the XMPP watcher's lease, a `duration` from 1s to 10s",
		apply: func(c *Config, v value) (err error) { c.LeaseTTL, err = parseLeaseTTL(v.text); return }},
	{name: "expiry-claim", def: "5s",
		usage: "under -redis, how long a replica keeps a due http-source expiry it claimed, a `duration` from 1s to 1m",
		apply: func(c *Config, v value) (err error) { c.ExpiryClaim, err = parseExpiryClaim(v.text); return }},
	{name: "log-level", def: "info",
		usage: "`level`: debug, info, warn or error",
		apply: func(c *Config, v value) (err error) { c.LogLevel, err = parseLogLevel(v.text); return }},
	{name: "log-format", def: "text",
		usage: "`format` of the log: text or json",
		apply: func(c *Config, v value) (err error) { c.LogFormat, err = parseEnum(v.text, "text", "json"); return }},
	// Deployment (docs/API.md#deployment) and limits (docs/API.md#errors-and-limits).
	{name: "trusted-proxies", kind: kindList,
		usage: "comma-separated `addresses` or CIDRs of reverse proxies whose X-Forwarded-For, -Proto, -Host and Forwarded headers are believed",
		apply: func(c *Config, v value) (err error) { c.TrustedProxies, err = parseItems(v.items, parseProxy); return }},
	{name: "tls-cert",
		usage: "PEM certificate chain `file`: serve HTTPS and HTTP/2 on -listen (with -tls-key); read again on SIGHUP",
		apply: func(c *Config, v value) error { c.TLSCert = v.text; return nil }},
	{name: "tls-key",
		usage: "PEM private key `file` of -tls-cert; read again on SIGHUP",
		apply: func(c *Config, v value) error { c.TLSKey = v.text; return nil }},
	{name: "base-path", def: "/",
		usage: "URL `path` every route, asset and generated URL lives under, e.g. /presence",
		apply: func(c *Config, v value) (err error) { c.BasePath, err = parseBasePath(v.text); return }},
	{name: "metrics-listen",
		usage: "`address` host:port that serves /metrics instead of -listen (default: on -listen)",
		apply: func(c *Config, v value) (err error) {
			if v.text != "" {
				c.MetricsListen, err = parseHostPort(v.text, false)
			}
			return
		}},
	{name: "ws-per-client", kind: kindNumber, def: "50",
		usage: "open WebSockets per client `count` (an IPv6 /64 is one client)",
		apply: func(c *Config, v value) (err error) { c.WSPerClient, err = parseCount(v.text); return }},
	{name: "ws-max", kind: kindNumber, def: "18000",
		usage: "open WebSockets in all, a `count`",
		apply: func(c *Config, v value) (err error) { c.WSMax, err = parseCount(v.text); return }},
	{name: "ws-connect-rate", kind: kindNumber, def: "5",
		usage: "WebSocket connects per second per client, a `rate`",
		apply: func(c *Config, v value) (err error) { c.WSConnectRate, err = parseRate(v.text); return }},
	{name: "ws-connect-burst", kind: kindNumber, def: "30",
		usage: "WebSocket connects a client may make at once, a `count`",
		apply: func(c *Config, v value) (err error) { c.WSConnectBurst, err = parseCount(v.text); return }},
	{name: "write-rate", kind: kindNumber, def: "10",
		usage: "presence writes per second per client, a `rate`",
		apply: func(c *Config, v value) (err error) { c.WriteRate, err = parseRate(v.text); return }},
	{name: "write-burst", kind: kindNumber, def: "100",
		usage: "presence writes a client may make at once, a `count`",
		apply: func(c *Config, v value) (err error) { c.WriteBurst, err = parseCount(v.text); return }},
	{name: "cache-bytes", kind: kindNumber, def: "64MiB",
		usage: "memory for rendered images and answers, all caches together: `bytes`, or with KiB, MiB, GiB",
		apply: func(c *Config, v value) (err error) { c.CacheBytes, err = parseBytes(v.text); return }},
}
