package xmpp

import (
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"testing"
	"time"
)

func TestConfigValidation(t *testing.T) {
	base := Config{JID: "Bot@Example.COM", Password: "pw"}
	for _, tc := range []struct {
		name  string
		mod   func(*Config)
		field string // "" when valid
	}{
		{"defaults", func(*Config) {}, ""},
		{"no jid", func(c *Config) { c.JID = "" }, "JID"},
		{"full jid", func(c *Config) { c.JID = "bot@example.com/res" }, "JID"},
		{"domain jid", func(c *Config) { c.JID = "example.com" }, "JID"},
		{"jid with , and =", func(c *Config) { c.JID = "a=b,c@example.com" }, ""},
		{"no password", func(c *Config) { c.Password = "" }, "Password"},
		{"bad tls", func(c *Config) { c.TLS = "ssl" }, "TLS"},
		{"plain remote", func(c *Config) { c.TLS, c.Server = TLSNone, "example.com:5222" }, "TLS"},
		{"plain remote ip", func(c *Config) { c.TLS, c.Server = TLSNone, "192.0.2.1:5222" }, "TLS"},
		{"plain without server", func(c *Config) { c.TLS = TLSNone }, "TLS"},
		{"plain loopback", func(c *Config) { c.TLS, c.Server = TLSNone, "127.0.0.1:5222" }, ""},
		{"plain loopback v6", func(c *Config) { c.TLS, c.Server = TLSNone, "[::1]:5222" }, ""},
		{"plain localhost", func(c *Config) { c.TLS, c.Server = TLSNone, "localhost:5222" }, ""},
		{"server without port", func(c *Config) { c.Server = "example.com" }, "Server"},
		{"bad resource", func(c *Config) { c.Resource = "a<b" }, "Resource"},
		{"bad policy", func(c *Config) { c.Policy = "some" }, "Policy"},
		{"domains without list", func(c *Config) { c.Policy = PolicyDomains }, "AllowDomains"},
		{"domains", func(c *Config) { c.Policy, c.AllowDomains = PolicyDomains, []string{"Example.org"} }, ""},
		{"bad domain", func(c *Config) { c.AllowDomains = []string{"a@b"} }, "AllowDomains"},
		{"bad watch", func(c *Config) { c.Watch = []string{"@"} }, "Watch"},
		{"room without local part", func(c *Config) { c.Rooms = []string{"rooms.example.com"} }, "Rooms"},
		{"negative ping", func(c *Config) { c.PingInterval = -time.Second }, "PingInterval"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := base
			tc.mod(&c)
			got, err := c.normalize()
			var ce *ConfigError
			switch {
			case tc.field == "" && err != nil:
				t.Fatalf("unexpected error: %v", err)
			case tc.field != "" && !errors.As(err, &ce):
				t.Fatalf("err = %v, want a ConfigError for %s", err, tc.field)
			case tc.field != "" && ce.Field != tc.field:
				t.Fatalf("error names %s, want %s: %v", ce.Field, tc.field, err)
			case tc.field == "":
				if got.JID != strings.ToLower(c.JID) || got.Resource != DefaultResource || got.TLSConfig.ServerName != "example.com" {
					t.Errorf("normalised to %+v", got)
				}
			}
		})
	}
}

func TestConfigNeverShowsPassword(t *testing.T) {
	c := Config{JID: "bot@example.com", Password: "hunter2-very-secret"}
	var b strings.Builder
	slog.New(slog.NewTextHandler(&b, nil)).Info("cfg", "config", c)
	slog.New(slog.NewJSONHandler(&b, nil)).Info("cfg", "config", c)
	fmt.Fprintf(&b, "%v %+v %s %#v", c, c, c, c)
	if strings.Contains(b.String(), c.Password) {
		t.Fatalf("password leaked: %s", b.String())
	}
}

func TestBackoffIsCappedFullJitter(t *testing.T) {
	b := backoff{base: 500 * time.Millisecond, cap: 30 * time.Second}
	for attempt := range 100 {
		ceil := min(b.cap, b.base<<min(attempt, 20))
		if d := b.next(); d < 0 || d >= ceil {
			t.Fatalf("attempt %d: %v outside [0, %v)", attempt, d, ceil)
		}
	}
	b.reset()
	if d := b.next(); d >= 500*time.Millisecond {
		t.Fatalf("after reset: %v", d)
	}
}
