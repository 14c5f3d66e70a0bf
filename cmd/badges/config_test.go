package main

import (
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"log/slog"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"badges/presence"
)

// env is a fake environment for loadConfig.
type env map[string]string

func (e env) get(k string) string { return e[k] }

// files is a fake file system for loadConfigFrom.
type files map[string]string

func (f files) read(name string) ([]byte, error) {
	if s, ok := f[name]; ok {
		return []byte(s), nil
	}
	return nil, &fs.PathError{Op: "open", Path: name, Err: fs.ErrNotExist}
}

// loadT runs loadConfigFrom with a TOML file "c.toml" holding toml, named
// through BADGES_CONFIG when toml is not empty.
func loadT(t *testing.T, args []string, e env, toml string, more files) (Config, error) {
	t.Helper()
	fsys := files{}
	for k, v := range more {
		fsys[k] = v
	}
	if toml != "" {
		fsys["c.toml"] = toml
		if e == nil {
			e = env{}
		}
		if _, ok := e["BADGES_CONFIG"]; !ok {
			e["BADGES_CONFIG"] = "c.toml"
		}
	}
	c, err := loadConfigFrom(args, e.get, fsys.read)
	if err != nil && strings.ContainsAny(err.Error(), "\r\n") {
		t.Errorf("error spans several lines: %q", err)
	}
	return c, err
}

func mustLoad(t *testing.T, args []string, e env, toml string, more files) Config {
	t.Helper()
	c, err := loadT(t, args, e, toml, more)
	if err != nil {
		t.Fatalf("loadConfig: %v", err)
	}
	return c
}

func TestDefaults(t *testing.T) {
	got := mustLoad(t, nil, nil, "", nil)
	want := Config{
		Listen:        ":8080",
		Data:          "./data",
		XMPPTLS:       "starttls",
		XMPPResource:  "badges",
		Subscriptions: "open",
		RoomNick:      "badges",
		StaleAfter:    2 * time.Minute,
		ShowMessages:  true,
		Share:         presence.DefaultShare,
		TokenTTL:      5 * time.Minute,
		Visibility:    "public",
		Origins:       []string{"*"},
		LogLevel:      slog.LevelInfo,
		LogFormat:     "text",
		LeaseTTL:      10 * time.Second,
		ExpiryClaim:   5 * time.Second,

		WSPerClient: 50, WSMax: 18000, WSConnectRate: 5, WSConnectBurst: 30,
		WriteRate: 10, WriteBurst: 100, CacheBytes: 64 << 20,
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("defaults:\n got %#v\nwant %#v", fields(got), fields(want))
	}
}

// fields shows a Config field by field, secrets included, for test failures.
func fields(c Config) map[string]any {
	m := map[string]any{}
	v := reflect.ValueOf(c)
	for i := range v.NumField() {
		m[v.Type().Field(i).Name] = v.Field(i).Interface()
	}
	return m
}

func TestPrecedence(t *testing.T) {
	const toml = `
stale-after = "3m"
watch = ["toml@example.com"]
show-messages = false
xmpp-tls = "direct"
`
	tests := []struct {
		name string
		args []string
		env  env
		toml string
		want func(Config) bool
	}{
		{"default", nil, nil, "", func(c Config) bool {
			return c.StaleAfter == 2*time.Minute && c.Watch == nil && c.ShowMessages && c.XMPPTLS == "starttls"
		}},
		{"toml beats default", nil, nil, toml, func(c Config) bool {
			return c.StaleAfter == 3*time.Minute && slices.Equal(c.Watch, []string{"toml@example.com"}) &&
				!c.ShowMessages && c.XMPPTLS == "direct"
		}},
		{"env beats toml", nil, env{
			"BADGES_STALE_AFTER": "4m", "BADGES_WATCH": "env@example.com",
			"BADGES_SHOW_MESSAGES": "true", "BADGES_XMPP_TLS": "starttls",
		}, toml, func(c Config) bool {
			return c.StaleAfter == 4*time.Minute && slices.Equal(c.Watch, []string{"env@example.com"}) &&
				c.ShowMessages && c.XMPPTLS == "starttls"
		}},
		{"empty env is unset", nil, env{"BADGES_STALE_AFTER": ""}, toml, func(c Config) bool {
			return c.StaleAfter == 3*time.Minute
		}},
		{"flag beats env", []string{"-stale-after", "5m", "-watch=flag@example.com", "-show-messages=false", "-xmpp-tls", "none", "-xmpp-server", "127.0.0.1:5222"},
			env{"BADGES_STALE_AFTER": "4m", "BADGES_WATCH": "env@example.com", "BADGES_SHOW_MESSAGES": "true", "BADGES_XMPP_TLS": "starttls"},
			toml, func(c Config) bool {
				return c.StaleAfter == 5*time.Minute && slices.Equal(c.Watch, []string{"flag@example.com"}) &&
					!c.ShowMessages && c.XMPPTLS == "none"
			}},
		{"bool flag alone", []string{"-show-messages"}, nil, toml, func(c Config) bool { return c.ShowMessages }},
		{"empty list flag beats default", []string{"-origins="}, nil, "", func(c Config) bool { return c.Origins == nil }},
		{"-config beats BADGES_CONFIG", []string{"-config", "c.toml"}, env{"BADGES_CONFIG": "missing.toml"}, toml,
			func(c Config) bool { return c.ConfigFile == "c.toml" && c.StaleAfter == 3*time.Minute }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := mustLoad(t, tt.args, tt.env, tt.toml, nil)
			if !tt.want(c) {
				t.Fatalf("unexpected config %#v", fields(c))
			}
		})
	}
}

func TestValues(t *testing.T) {
	tests := []struct {
		name  string
		args  []string
		field string
		want  any
	}{
		{"listen port only", []string{"-listen", ":0"}, "Listen", ":0"},
		{"listen host", []string{"-listen", "127.0.0.1:9000"}, "Listen", "127.0.0.1:9000"},
		{"listen ipv6", []string{"-listen", "[::1]:9000"}, "Listen", "[::1]:9000"},
		{"data", []string{"-data", "/var/lib/badges"}, "Data", "/var/lib/badges"},
		{"xmpp-jid normalised", []string{"-xmpp-jid", "Bot@Example.COM", "-xmpp-password", "pw"}, "XMPPJID", "bot@example.com"},
		{"xmpp-server", []string{"-xmpp-server", "xmpp.example.com:5223"}, "XMPPServer", "xmpp.example.com:5223"},
		{"xmpp-tls upper case", []string{"-xmpp-tls", "DIRECT"}, "XMPPTLS", "direct"},
		{"xmpp-resource", []string{"-xmpp-resource", "web 1"}, "XMPPResource", "web 1"},
		{"subscriptions closed", []string{"-subscriptions", "closed"}, "Subscriptions", "closed"},
		{"allow-domains", []string{"-subscriptions=domains", "-allow-domains", " Example.com, example.org,,example.com "}, "AllowDomains", []string{"example.com", "example.org"}},
		{"watch reduced to bare", []string{"-watch", "alice@example.com/phone,bob@example.com"}, "Watch", []string{"alice@example.com", "bob@example.com"}},
		{"rooms", []string{"-rooms", "chat@rooms.example.com"}, "Rooms", []string{"chat@rooms.example.com"}},
		{"room-nick", []string{"-room-nick", "Presence Bot"}, "RoomNick", "Presence Bot"},
		{"stale-after", []string{"-stale-after", "90s"}, "StaleAfter", 90 * time.Second},
		{"show-messages 0", []string{"-show-messages=0"}, "ShowMessages", false},
		{"share", []string{"-share", "name, tune"}, "Share", presence.FieldSet(presence.FieldName | presence.FieldTune)},
		{"share none", []string{"-share", "none"}, "Share", presence.NoFields},
		{"token-ttl", []string{"-token-ttl", "1h"}, "TokenTTL", time.Hour},
		{"visibility signed", []string{"-visibility", "signed", "-token-secret", "s"}, "Visibility", "signed"},
		{"redirect-hosts", []string{"-redirect-hosts", "Img.Example.com,[::1],192.0.2.1"}, "RedirectHosts", []string{"img.example.com", "::1", "192.0.2.1"}},
		{"origins", []string{"-origins", "*.Example.com,https://a.example"}, "Origins", []string{"*.example.com", "https://a.example"}},
		{"log-level", []string{"-log-level", "debug"}, "LogLevel", slog.LevelDebug},
		{"log-level warn", []string{"-log-level", "warn"}, "LogLevel", slog.LevelWarn},
		{"log-format", []string{"-log-format", "json"}, "LogFormat", "json"},
		{"positional args", []string{"-listen", ":1", "alice@example.com", "-x"}, "Args", []string{"alice@example.com", "-x"}},
		{"api-keys by white space", []string{"-api-keys", "K1:domain=a.example,b.example:regex=^/api/v1/presence/ \n K2\tK3"},
			"APIKeys", []string{"K1:domain=a.example,b.example:regex=^/api/v1/presence/", "K2", "K3"}},
		{"password keeps spaces", []string{"-xmpp-password", " p w "}, "XMPPPassword", " p w "},
		{"trusted-proxies", []string{"-trusted-proxies", "127.0.0.1, 10.0.0.0/8,::1"}, "TrustedProxies", []string{"127.0.0.1", "10.0.0.0/8", "::1"}},
		{"tls", []string{"-tls-cert", "c.pem", "-tls-key", "k.pem"}, "TLSKey", "k.pem"},
		{"base-path", []string{"-base-path", "/presence/"}, "BasePath", "/presence"},
		{"base-path nested", []string{"-base-path", "/a/b-c.d_e~f"}, "BasePath", "/a/b-c.d_e~f"},
		{"base-path root", []string{"-base-path", "/"}, "BasePath", ""},
		{"metrics-listen", []string{"-metrics-listen", "127.0.0.1:9100"}, "MetricsListen", "127.0.0.1:9100"},
		{"ws-per-client", []string{"-ws-per-client", "500"}, "WSPerClient", 500},
		{"ws-max", []string{"-ws-max", "10"}, "WSMax", 10},
		{"ws-connect-rate", []string{"-ws-connect-rate", "0.5"}, "WSConnectRate", 0.5},
		{"ws-connect-burst", []string{"-ws-connect-burst", "2"}, "WSConnectBurst", 2},
		{"write-rate", []string{"-write-rate", "100"}, "WriteRate", 100.0},
		{"write-burst", []string{"-write-burst", "7"}, "WriteBurst", 7},
		{"cache-bytes MiB", []string{"-cache-bytes", "16MiB"}, "CacheBytes", int64(16 << 20)},
		{"cache-bytes plain", []string{"-cache-bytes", "2000000"}, "CacheBytes", int64(2000000)},
		{"cache-bytes GiB", []string{"-cache-bytes", "1 GiB"}, "CacheBytes", int64(1 << 30)},
		{"cache-bytes MB", []string{"-cache-bytes", "2MB"}, "CacheBytes", int64(2e6)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := mustLoad(t, tt.args, nil, "", nil)
			if got := fields(c)[tt.field]; !reflect.DeepEqual(got, tt.want) {
				t.Fatalf("%s = %#v, want %#v", tt.field, got, tt.want)
			}
		})
	}
}

func TestPublicURL(t *testing.T) {
	for in, want := range map[string]string{
		"https://badges.example.com":        "https://badges.example.com",
		"https://badges.example.com/":       "https://badges.example.com",
		"HTTP://badges.example.com:8080/x/": "http://badges.example.com:8080/x",
	} {
		c := mustLoad(t, []string{"-public-url", in}, nil, "", nil)
		if c.PublicURL == nil || c.PublicURL.String() != want {
			t.Errorf("-public-url %q: got %v, want %s", in, c.PublicURL, want)
		}
	}
}

func TestErrors(t *testing.T) {
	tests := []struct {
		name string
		args []string
		env  env
		toml string
		want string // the whole message, or a prefix when it ends in "…"
	}{
		{"bad duration flag", []string{"-stale-after", "abc"}, nil, "", `invalid -stale-after "abc": time: invalid duration "abc"`},
		{"bad duration env", nil, env{"BADGES_STALE_AFTER": "abc"}, "", `invalid BADGES_STALE_AFTER "abc": time: invalid duration "abc"`},
		{"bad duration toml", nil, nil, `stale-after = "abc"`, `invalid stale-after "abc" in c.toml: time: invalid duration "abc"`},
		{"zero duration", []string{"-token-ttl", "0s"}, nil, "", `invalid -token-ttl "0s": must be positive`},
		{"negative duration", []string{"-stale-after=-1m"}, nil, "", `invalid -stale-after "-1m": must be positive`},
		{"xmpp-tls", []string{"-xmpp-tls", "foo"}, nil, "", `invalid -xmpp-tls "foo": must be starttls, direct or none`},
		{"subscriptions", nil, env{"BADGES_SUBSCRIPTIONS": "some"}, "", `invalid BADGES_SUBSCRIPTIONS "some": must be open, domains or closed`},
		{"visibility", []string{"-visibility", "private"}, nil, "", `invalid -visibility "private": must be public or signed`},
		{"log-level", []string{"-log-level", "trace"}, nil, "", `invalid -log-level "trace": must be debug, info, warn or error`},
		{"log-format", []string{"-log-format", "xml"}, nil, "", `invalid -log-format "xml": must be text or json`},
		{"bool", []string{"-show-messages=maybe"}, nil, "", `invalid -show-messages "maybe": must be true or false`},
		{"listen without port", []string{"-listen", "localhost"}, nil, "", `invalid -listen "localhost": must be host:port: address localhost: missing port in address`},
		{"listen bad port", []string{"-listen", ":http"}, nil, "", `invalid -listen ":http": port "http": must be a number from 0 to 65535`},
		{"listen port range", []string{"-listen", ":70000"}, nil, "", `invalid -listen ":70000": port "70000": must be a number from 0 to 65535`},
		{"listen empty", []string{"-listen", ""}, nil, "", `invalid -listen "": must be host:port: missing port in address`},
		{"xmpp-server no host", []string{"-xmpp-server", ":5222"}, nil, "", `invalid -xmpp-server ":5222": "": not a host name or IP address`},
		{"xmpp-server port 0", []string{"-xmpp-server", "example.com:0"}, nil, "", `invalid -xmpp-server "example.com:0": port "0": must be a number from 1 to 65535`},
		{"public-url relative", []string{"-public-url", "/badges"}, nil, "", `invalid -public-url "/badges": must be an absolute http or https URL`},
		{"public-url ftp", []string{"-public-url", "ftp://example.com"}, nil, "", `invalid -public-url "ftp://example.com": must be an absolute http or https URL`},
		{"public-url query", []string{"-public-url", "https://example.com/?a=b"}, nil, "", `invalid -public-url "https://example.com/?a=b": must not have a query`},
		{"public-url fragment", []string{"-public-url", "https://example.com/#x"}, nil, "", `invalid -public-url "https://example.com/#x": must not have a fragment`},
		{"public-url user", []string{"-public-url", "https://u:p@example.com"}, nil, "", `invalid -public-url "https://u:p@example.com": must not contain user info`},
		{"data empty", []string{"-data", " "}, nil, "", `invalid -data "": must not be empty`},
		{"xmpp-jid no local", []string{"-xmpp-jid", "example.com", "-xmpp-password", "pw"}, nil, "", `invalid -xmpp-jid "example.com": needs a local part: user@domain`},
		{"xmpp-jid full", []string{"-xmpp-jid", "bot@example.com/r", "-xmpp-password", "pw"}, nil, "", `invalid -xmpp-jid "bot@example.com/r": must be a bare JID; set the resource with -xmpp-resource`},
		{"xmpp-jid invalid", []string{"-xmpp-jid", "@example.com"}, nil, "", `invalid -xmpp-jid "@example.com": invalid JID: "@example.com": …`},
		{"watch bad", []string{"-watch", "ok@example.com,a@b@c"}, nil, "", `invalid -watch: invalid JID: "a@b@c": …`},
		{"rooms need local", nil, env{"BADGES_ROOMS": "rooms.example.com"}, "", `invalid BADGES_ROOMS: invalid JID: room "rooms.example.com" has no local part`},
		{"allow-domains jid", []string{"-allow-domains", "a@example.com"}, nil, "", `invalid -allow-domains: "a@example.com": not a domain`},
		{"redirect-hosts url", []string{"-redirect-hosts", "https://img.example.com/"}, nil, "", `invalid -redirect-hosts: "https://img.example.com/": not a host name or IP address`},
		{"redirect-hosts port", []string{"-redirect-hosts", "img.example.com:443"}, nil, "", `invalid -redirect-hosts: "img.example.com:443": not a host name or IP address`},
		{"redirect-hosts bracket", []string{"-redirect-hosts", "[::1"}, nil, "", `invalid -redirect-hosts: "[::1": not a host name or IP address`},
		{"redirect-hosts bracketed name", []string{"-redirect-hosts", "[example.com]"}, nil, "", `invalid -redirect-hosts: "[example.com]": not an IP address`},
		{"origins bad pattern", []string{"-origins", "[a-"}, nil, "", `invalid -origins: "[a-": syntax error in pattern`},
		{"room-nick empty", []string{"-room-nick", ""}, nil, "", `invalid -room-nick "": must not be empty`},
		{"xmpp-resource bad", []string{"-xmpp-resource", "a\u0007b"}, nil, "", `invalid -xmpp-resource "a\ab": not a valid resource: …`},
		{"jid needs password", []string{"-xmpp-jid", "bot@example.com"}, nil, "", `xmpp-jid is set but xmpp-password is empty`},
		{"domains needs list", []string{"-subscriptions", "domains"}, nil, "", `subscriptions=domains needs allow-domains`},
		{"signed needs secret", []string{"-visibility", "signed"}, nil, "", `visibility=signed needs token-secret`},
		{"tls none needs loopback", []string{"-xmpp-tls", "none", "-xmpp-server", "example.com:5222"}, nil, "",
			`xmpp-tls=none sends the password in plain text: it needs xmpp-server on a loopback address, got "example.com:5222"`},
		{"tls none needs server", []string{"-xmpp-tls", "none"}, nil, "",
			`xmpp-tls=none sends the password in plain text: it needs xmpp-server on a loopback address, got ""`},
		{"trusted-proxies", []string{"-trusted-proxies", "10.0.0.0/8,proxy.example"}, nil, "", `invalid -trusted-proxies: "proxy.example": not an IP address or CIDR prefix`},
		{"tls-cert alone", []string{"-tls-cert", "c.pem"}, nil, "", `tls-cert and tls-key go together: set both or neither`},
		{"base-path relative", []string{"-base-path", "p"}, nil, "", `invalid -base-path "p": must start with /`},
		{"base-path dots", []string{"-base-path", "/a/../b"}, nil, "", `invalid -base-path "/a/../b": must not have empty, . or .. segments`},
		{"base-path double slash", []string{"-base-path", "//a"}, nil, "", `invalid -base-path "//a": must not have empty, . or .. segments`},
		{"base-path query", []string{"-base-path", "/a?b"}, nil, "", `invalid -base-path "/a?b": segments may hold only letters, digits, -, ., _ and ~`},
		{"metrics-listen", []string{"-metrics-listen", "nope"}, nil, "", `invalid -metrics-listen "nope": must be host:port: address nope: missing port in address`},
		{"metrics-listen same", []string{"-listen", ":9", "-metrics-listen", ":9"}, nil, "", `metrics-listen must differ from listen`},
		{"ws-per-client zero", []string{"-ws-per-client", "0"}, nil, "", `invalid -ws-per-client "0": must be a whole number, at least 1`},
		{"ws-max word", nil, env{"BADGES_WS_MAX": "many"}, "", `invalid BADGES_WS_MAX "many": must be a whole number, at least 1`},
		{"ws-connect-rate negative", []string{"-ws-connect-rate=-1"}, nil, "", `invalid -ws-connect-rate "-1": must be a positive number (per second)`},
		{"write-rate nan", []string{"-write-rate", "NaN"}, nil, "", `invalid -write-rate "NaN": must be a positive number (per second)`},
		{"write-burst float", nil, nil, `write-burst = 1.5`, `invalid write-burst "1.5" in c.toml: must be a whole number, at least 1`},
		{"cache-bytes small", []string{"-cache-bytes", "16KiB"}, nil, "", `invalid -cache-bytes "16KiB": must be at least 1MiB`},
		{"cache-bytes word", []string{"-cache-bytes", "lots"}, nil, "", `invalid -cache-bytes "lots": must be a size in bytes, such as 67108864 or 64MiB`},
		{"cache-bytes overflow", []string{"-cache-bytes", "99999999999GiB"}, nil, "", `invalid -cache-bytes "99999999999GiB": must be a size in bytes, such as 67108864 or 64MiB`},
		{"toml number type", nil, nil, `ws-max = true`, `invalid ws-max in c.toml: want a number or a string, got a boolean`},
		{"unknown flag", []string{"-nope"}, nil, "", `flag provided but not defined: -nope`},
		{"flag without value", []string{"-listen"}, nil, "", `flag needs an argument: -listen`},
		{"unknown toml key", nil, nil, "listen = \":1\"\nstale_after = \"1m\"", `config file c.toml: unknown key "stale_after"`},
		{"toml table", nil, nil, "[xmpp]\njid = \"a@b\"", `config file c.toml: unknown key "xmpp"`},
		{"toml config key", nil, nil, `config = "other.toml"`, `config file c.toml: key "config" cannot be set in the file itself`},
		{"toml wrong type", nil, nil, `stale-after = 120`, `invalid stale-after in c.toml: want a string, got an integer`},
		{"toml list not array", nil, nil, `watch = "a@example.com"`, `invalid watch in c.toml: want an array of strings, got a string`},
		{"toml list item type", nil, nil, `watch = ["a@example.com", 1]`, `invalid watch in c.toml: want an array of strings, item 2 is an integer`},
		{"toml bool type", nil, nil, `show-messages = "yes"`, `invalid show-messages in c.toml: want a boolean, got a string`},
		{"toml syntax", nil, nil, "listen = \n", `config file c.toml: toml: …`},
		{"missing config file", []string{"-config", "nope.toml"}, nil, "", `config file: open nope.toml: file does not exist`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := loadT(t, tt.args, tt.env, tt.toml, nil)
			if err == nil {
				t.Fatalf("no error, want %q", tt.want)
			}
			if prefix, ok := strings.CutSuffix(tt.want, "…"); ok {
				if !strings.HasPrefix(err.Error(), prefix) {
					t.Fatalf("error %q\n does not start with %q", err, prefix)
				}
			} else if err.Error() != tt.want {
				t.Fatalf("error %q\n        want %q", err, tt.want)
			}
		})
	}
}

func TestErrorsKeepTheirCause(t *testing.T) {
	_, err := loadT(t, []string{"-watch", "@"}, nil, "", nil)
	if !errors.Is(err, presence.ErrBadJID) {
		t.Fatalf("error %v does not wrap presence.ErrBadJID", err)
	}
}

func TestSecretFiles(t *testing.T) {
	more := files{
		"pw":   "s3cret\n",
		"tok":  "tok\r\n",
		"keys": "# write keys\nK1:domain=a.example,b.example:regex=^/api/v1/presence/\n\n  K2  \n#K3\n",
	}
	c := mustLoad(t, nil, env{
		"BADGES_XMPP_JID":           "bot@example.com",
		"BADGES_XMPP_PASSWORD_FILE": "pw",
		"BADGES_TOKEN_SECRET_FILE":  "tok",
		"BADGES_API_KEYS_FILE":      "keys",
	}, "", more)
	if c.XMPPPassword != "s3cret" || c.TokenSecret != "tok" {
		t.Errorf("password %q, token secret %q", c.XMPPPassword, c.TokenSecret)
	}
	if want := []string{"K1:domain=a.example,b.example:regex=^/api/v1/presence/", "K2"}; !slices.Equal(c.APIKeys, want) {
		t.Errorf("api keys %q, want %q", c.APIKeys, want)
	}

	// The _FILE form beats the file and loses to a flag.
	c = mustLoad(t, nil, env{"BADGES_XMPP_PASSWORD_FILE": "pw"}, `xmpp-password = "from-toml"`, more)
	if c.XMPPPassword != "s3cret" {
		t.Errorf("_FILE against TOML: password %q", c.XMPPPassword)
	}
	c = mustLoad(t, []string{"-xmpp-password", "flag"}, env{"BADGES_XMPP_PASSWORD_FILE": "pw"}, "", more)
	if c.XMPPPassword != "flag" {
		t.Errorf("flag against _FILE: password %q", c.XMPPPassword)
	}

	errTests := []struct {
		name string
		env  env
		want string
	}{
		{"both forms", env{"BADGES_TOKEN_SECRET": "x", "BADGES_TOKEN_SECRET_FILE": "tok"},
			"invalid BADGES_TOKEN_SECRET_FILE: BADGES_TOKEN_SECRET is set too: give one of them"},
		{"missing file", env{"BADGES_API_KEYS_FILE": "nokeys"},
			"invalid BADGES_API_KEYS_FILE: open nokeys: file does not exist"},
	}
	for _, tt := range errTests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := loadT(t, nil, tt.env, "", more)
			if err == nil || err.Error() != tt.want {
				t.Fatalf("error %v, want %q", err, tt.want)
			}
		})
	}
}

func TestSecretsNotInErrors(t *testing.T) {
	for _, tt := range []struct {
		args []string
		toml string
	}{
		{nil, "api-keys = [\"ok\", \"bad\\u0007SECRETKEY\"]"},
		{nil, "xmpp-password = 12"},
		{[]string{"-api-keys", "ok", "-xmpp-password", "SECRETPW", "-xmpp-tls", "none"}, ""},
	} {
		_, err := loadT(t, tt.args, nil, tt.toml, nil)
		if err == nil {
			t.Fatalf("%v %q: no error", tt.args, tt.toml)
		}
		if strings.Contains(err.Error(), "SECRET") {
			t.Errorf("error shows a secret: %v", err)
		}
	}
}

func TestHelp(t *testing.T) {
	for _, arg := range []string{"-h", "-help", "--help"} {
		if _, err := loadT(t, []string{arg}, nil, "", nil); !errors.Is(err, flag.ErrHelp) {
			t.Errorf("%s: error %v, want flag.ErrHelp", arg, err)
		}
	}
	var b strings.Builder
	writeUsage(&b)
	usage := b.String()
	for _, s := range settings {
		if !strings.Contains(usage, "  -"+s.name+" ") && !strings.Contains(usage, "  -"+s.name+"\n") {
			t.Errorf("usage does not list -%s", s.name)
		}
	}
	for _, want := range []string{"-config file", "NOT commas", "BADGES_API_KEYS_FILE", "(default :8080)", "(default 2m)", "BADGES_FOO_BAR"} {
		if !strings.Contains(usage, want) {
			t.Errorf("usage lacks %q:\n%s", want, usage)
		}
	}
}

func TestEveryDefaultIsValid(t *testing.T) {
	// A default that does not parse would only show when nothing overrides it;
	// TestDefaults covers that case, this one names the culprit.
	for _, s := range settings {
		var c Config
		if err := s.apply(&c, textValue(s, s.def)); err != nil {
			t.Errorf("default of -%s: %v", s.name, err)
		}
	}
}

func TestConfigRedactsSecrets(t *testing.T) {
	c := mustLoad(t, []string{
		"-xmpp-jid", "bot@example.com", "-xmpp-password", "PW-SECRET",
		"-token-secret", "TOKEN-SECRET", "-api-keys", "KEY-SECRET-1 KEY-SECRET-2:domain=a.example",
		"-redis", "redis://user:REDIS-SECRET@redis.example:6379/0",
	}, nil, "", nil)

	var b strings.Builder
	logger := slog.New(slog.NewJSONHandler(&b, nil))
	logger.Info("config", "config", c)
	logger.Info("config", "config", &c)
	slog.New(slog.NewTextHandler(&b, nil)).Info("config", "config", c)
	for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x", "%d"} {
		b.WriteString(fmt.Sprintf(verb, c))
		b.WriteString(fmt.Sprintf(verb, &c))
	}
	out := b.String()
	if strings.Contains(out, "SECRET") {
		t.Fatalf("secret in output:\n%s", out)
	}
	for _, want := range []string{`"xmpp-password":"[redacted]"`, `"token-secret":"[redacted]"`, `"api-keys":"2 keys [redacted]"`, `"redis":"[redacted]"`, `"xmpp-jid":"bot@example.com"`} {
		if !strings.Contains(out, want) {
			t.Errorf("log lacks %s:\n%s", want, out)
		}
	}
	// Every setting the table marks secret is one LogValue redacts.
	for _, s := range settings {
		if s.secret && !strings.Contains(out, `"`+s.name+`":"`) {
			t.Errorf("secret setting %s is not in the log", s.name)
		}
		if s.secret && strings.Contains(out, `"`+s.name+`":""`) {
			t.Errorf("secret setting %s logs as unset although it was given", s.name)
		}
	}

	var empty strings.Builder
	slog.New(slog.NewJSONHandler(&empty, nil)).Info("config", "config", mustLoad(t, nil, nil, "", nil))
	if !strings.Contains(empty.String(), `"xmpp-password":""`) {
		t.Errorf("an unset secret should log as empty:\n%s", empty.String())
	}
}
