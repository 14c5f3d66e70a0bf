package xmpp

import (
	"context"
	"crypto/tls"
	"fmt"
	"strings"
	"testing"
	"time"

	"badges/internal/testenv"
	"badges/presence"
)

// loginOnce logs in with cfg, checks that the stream works by pinging the
// server, and returns the link, which the test's end closes.
func loginOnce(t *testing.T, cfg Config) *link {
	t.Helper()
	c, err := cfg.normalize()
	must(t, err)
	ctx, cancel := context.WithTimeout(context.Background(), wait)
	defer cancel()
	l, err := connect(ctx, &c)
	if err != nil {
		t.Fatalf("connect: %v", err)
	}
	t.Cleanup(l.close)
	if want := c.JID + "/" + c.Resource; l.jid != want {
		t.Errorf("bound %q, want %q", l.jid, want)
	}
	must(t, l.send(pingIQ("probe", presence.Domain(c.JID))))
	timer := time.NewTimer(wait)
	defer timer.Stop()
	for {
		select {
		case st, ok := <-l.in:
			if !ok {
				t.Fatalf("stream ended: %v", l.err())
			}
			if st.kind() == "iq" && st.ID == "probe" {
				return l
			}
		case <-timer.C:
			t.Fatal("no answer to a ping after login")
		}
	}
}

// TestSASLMechanisms logs in against Prosody 0.12 in every TLS mode and
// version. Prosody binds channels only to tls-unique, which TLS 1.3 lacks:
// it offers -PLUS under TLS 1.2 alone. Its password storage decides
// between SHA-1 and SHA-256.
func TestSASLMechanisms(t *testing.T) {
	sha1 := testenv.StartProsody(t)
	sha256 := testenv.StartProsodyWith(t, testenv.ProsodyOptions{PasswordHash: "SHA-256"})
	tls12 := func(p *testenv.Prosody) *tls.Config {
		c := p.TLSConfig()
		c.MaxVersion = tls.VersionTLS12
		return c
	}
	for _, tc := range []struct {
		name string
		p    *testenv.Prosody
		mode TLSMode
		tls  func(*testenv.Prosody) *tls.Config
		want string
	}{
		{"starttls 1.3", sha1, TLSStartTLS, (*testenv.Prosody).TLSConfig, "SCRAM-SHA-1"},
		{"starttls 1.2", sha1, TLSStartTLS, tls12, "SCRAM-SHA-1-PLUS"},
		{"direct 1.3", sha1, TLSDirect, (*testenv.Prosody).TLSConfig, "SCRAM-SHA-1"},
		{"direct 1.2", sha1, TLSDirect, tls12, "SCRAM-SHA-1-PLUS"},
		{"none", sha1, TLSNone, nil, "SCRAM-SHA-1"},
		{"sha-256 starttls 1.3", sha256, TLSStartTLS, (*testenv.Prosody).TLSConfig, "SCRAM-SHA-256"},
		{"sha-256 starttls 1.2", sha256, TLSStartTLS, tls12, "SCRAM-SHA-256-PLUS"},
		{"sha-256 direct 1.2", sha256, TLSDirect, tls12, "SCRAM-SHA-256-PLUS"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := Config{JID: newUser(t, tc.p, ""), Password: password, Server: tc.p.Addr, TLS: tc.mode}
			if tc.mode == TLSDirect {
				cfg.Server = tc.p.DirectTLSAddr
			}
			if tc.tls != nil {
				cfg.TLSConfig = tc.tls(tc.p)
			}
			if l := loginOnce(t, cfg); l.mech != tc.want {
				t.Errorf("logged in with %s, want %s", l.mech, tc.want)
			}
		})
	}
}

// TestLoginEscapesAccountName: ',' and '=' are fine in a local part (RFC
// 7622) but delimit SCRAM's attributes, so they travel as "=2C" and "=3D"
// (RFC 5802 5.1).
func TestLoginEscapesAccountName(t *testing.T) {
	p := testenv.StartProsody(t)
	jid := p.Register(fmt.Sprintf("x,y=z%d@%s", accounts.Add(1), p.Domain), password)
	l := loginOnce(t, Config{JID: jid, Password: password, Server: p.Addr, TLSConfig: p.TLSConfig()})
	if !strings.HasPrefix(l.mech, "SCRAM-") {
		t.Errorf("logged in with %s, want SCRAM", l.mech)
	}
}

func TestLoginRefusedNamesTheReason(t *testing.T) {
	p := testenv.StartProsody(t)
	const bad = "not-" + password
	for _, tc := range []struct {
		mode TLSMode
		addr string
	}{{TLSNone, p.Addr}, {TLSDirect, p.DirectTLSAddr}} {
		t.Run(string(tc.mode), func(t *testing.T) {
			cfg, err := Config{JID: newUser(t, p, ""), Password: bad, Server: tc.addr, TLS: tc.mode, TLSConfig: p.TLSConfig()}.normalize()
			must(t, err)
			ctx, cancel := context.WithTimeout(context.Background(), wait)
			defer cancel()
			l, err := connect(ctx, &cfg)
			if err == nil {
				l.close()
				t.Fatal("logged in with a wrong password")
			}
			t.Log(err)
			if !strings.Contains(err.Error(), "wrong password or unknown account "+cfg.JID) || strings.Contains(err.Error(), bad) {
				t.Errorf("err = %v", err)
			}
		})
	}
}
