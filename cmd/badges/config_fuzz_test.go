package main

import (
	"slices"
	"strings"
	"testing"
)

// fuzzEnvNames are the environment variables FuzzLoadConfig may set: every
// setting's, and the _FILE form of every secret.
var fuzzEnvNames = func() []string {
	var names []string
	for _, s := range settings {
		names = append(names, envName(s.name))
		if s.secret {
			names = append(names, envName(s.name)+"_FILE")
		}
	}
	return names
}()

// FuzzLoadConfig feeds arbitrary text to one environment variable (or the
// secret file it names), one flag and the TOML file. loadConfig must not
// panic, must answer with one line on error, and must only accept
// configurations that keep its promises.
func FuzzLoadConfig(f *testing.F) {
	f.Add(uint8(0), ":8080", uint8(1), "https://example.com", "stale-after = \"3m\"\nwatch = [\"a@example.com\"]")
	f.Add(uint8(3), "bot@example.com", uint8(4), "pw", "xmpp-tls = \"none\"\nxmpp-server = \"[::1]:5222\"")
	f.Add(uint8(20), "K1:domain=a.example,b.example:regex=^/x/\nK2", uint8(14), "false", "show-messages = true")
	f.Add(uint8(21), "# c\nK1\n", uint8(19), "signed", "token-secret = \"s\"\n[t]\nx=1")
	f.Add(uint8(9), "domains", uint8(10), "example.com,,Example.COM", "origins = []\nredirect-hosts = [\"[::1]\"]")
	f.Fuzz(func(t *testing.T, envKey uint8, envValue string, flagKey uint8, flagValue, tomlText string) {
		name := fuzzEnvNames[int(envKey)%len(fuzzEnvNames)]
		getenv := func(k string) string {
			switch k {
			case name:
				return envValue
			case "BADGES_CONFIG":
				return "c.toml"
			}
			return ""
		}
		readFile := func(file string) ([]byte, error) {
			if file == "c.toml" {
				return []byte(tomlText), nil
			}
			return []byte(envValue), nil // the secret file a _FILE variable names
		}
		args := []string{"-" + settings[int(flagKey)%len(settings)].name + "=" + flagValue, "rest"}

		c, err := loadConfigFrom(args, getenv, readFile)
		if err != nil {
			if msg := err.Error(); msg == "" || strings.ContainsAny(msg, "\r\n\u2028\u2029") {
				t.Fatalf("error is not one line: %q", msg)
			}
			return
		}
		check := func(ok bool, what string) {
			if !ok {
				t.Fatalf("accepted a config with %s: %#v", what, fields(c))
			}
		}
		check(c.StaleAfter > 0 && c.TokenTTL > 0, "a duration not positive")
		check(slices.Contains([]string{"starttls", "direct", "none"}, c.XMPPTLS), "bad xmpp-tls")
		check(slices.Contains([]string{"open", "domains", "closed"}, c.Subscriptions), "bad subscriptions")
		check(slices.Contains([]string{"public", "signed"}, c.Visibility), "bad visibility")
		check(slices.Contains([]string{"text", "json"}, c.LogFormat), "bad log-format")
		check(c.Listen != "" && c.Data != "" && c.XMPPResource != "" && c.RoomNick != "", "an empty required value")
		check(c.XMPPJID == "" || c.XMPPPassword != "", "a JID without password")
		check(c.Visibility != "signed" || c.TokenSecret != "", "signed visibility without secret")
		check(c.Subscriptions != "domains" || len(c.AllowDomains) > 0, "domains without allow-domains")
		check(c.PublicURL == nil || c.PublicURL.RawQuery == "" && c.PublicURL.Host != "", "a bad public-url")
		check(slices.Equal(c.Args, []string{"rest"}), "lost positional arguments")
		for _, k := range c.APIKeys {
			check(k != "" && !strings.ContainsAny(k, " \t\r\n"), "an empty or spaced API key")
		}
		_ = c.LogValue().String()
	})
}
