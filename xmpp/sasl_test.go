package xmpp

import (
	"crypto/tls"
	"encoding/base64"
	"errors"
	"io"
	"slices"
	"strings"
	"testing"
)

var (
	tls12 = &tls.ConnectionState{Version: tls.VersionTLS12, TLSUnique: []byte("finished")}
	// A resumed TLS 1.2 session without the extended master secret.
	tls12NoCB = &tls.ConnectionState{Version: tls.VersionTLS12}
	tls13     = &tls.ConnectionState{Version: tls.VersionTLS13}
)

func TestChooseMechanism(t *testing.T) {
	all := []string{"PLAIN", "SCRAM-SHA-1", "SCRAM-SHA-1-PLUS", "SCRAM-SHA-256", "SCRAM-SHA-256-PLUS"}
	for _, tc := range []struct {
		name    string
		offered []string
		cbTypes []string
		cs      *tls.ConnectionState
		plainOK bool
		want    string // a mechanism, or text the error must contain
	}{
		{"tls 1.2 binds", all, nil, tls12, false, "SCRAM-SHA-256-PLUS"},
		{"tls 1.3 binds only when named", all, nil, tls13, false, "SCRAM-SHA-256"},
		{"tls 1.3 server names tls-exporter", all, []string{"tls-unique", "tls-exporter"}, tls13, false, "SCRAM-SHA-256-PLUS"},
		{"server binds only tls-unique", all, []string{"tls-unique"}, tls13, false, "SCRAM-SHA-256"},
		{"server names tls-unique", all, []string{"tls-server-end-point", "tls-unique"}, tls12, false, "SCRAM-SHA-256-PLUS"},
		{"nothing to bind to", all, nil, tls12NoCB, false, "SCRAM-SHA-256"},
		{"plain text", all, nil, nil, true, "SCRAM-SHA-256"},
		{"sha-1 only", []string{"SCRAM-SHA-1", "SCRAM-SHA-1-PLUS"}, nil, tls12, false, "SCRAM-SHA-1-PLUS"},
		{"plain over tls", []string{"PLAIN", "DIGEST-MD5"}, nil, tls13, false, "PLAIN"},
		{"plain to loopback", []string{"PLAIN"}, nil, nil, true, "PLAIN"},
		{"plain refused without tls", []string{"PLAIN"}, nil, nil, false,
			"the server offers [PLAIN], the watcher supports [SCRAM-SHA-256 SCRAM-SHA-1] on this connection (PLAIN only over TLS or to loopback)"},
		{"nothing in common", []string{"DIGEST-MD5", "X-OAUTH2"}, nil, tls12, false,
			"the server offers [DIGEST-MD5 X-OAUTH2], the watcher supports [SCRAM-SHA-256-PLUS SCRAM-SHA-1-PLUS SCRAM-SHA-256 SCRAM-SHA-1 PLAIN]"},
		{"plus without binding", []string{"SCRAM-SHA-1-PLUS"}, nil, nil, true, "no mechanism in common"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m, err := chooseMechanism(features{mechanisms: tc.offered, cbTypes: tc.cbTypes}, tc.cs, tc.plainOK)
			got := m.Name
			if err != nil {
				got = err.Error()
			}
			if !strings.Contains(got, tc.want) {
				t.Errorf("got %q, want %q", got, tc.want)
			}
		})
	}
}

func TestLoginScripted(t *testing.T) {
	const bot = "bot@example.com"
	login := func(s *fakeServer, features2 string, forge bool) error {
		if _, err := s.expect("stream"); err != nil {
			return err
		}
		if err := s.send(serverHeader + featuresSCRAM); err != nil {
			return err
		}
		auth, err := s.expect("auth")
		if err != nil {
			return err
		}
		if m := auth.attr("mechanism"); m != "SCRAM-SHA-256" {
			return errors.New("client chose " + m)
		}
		if err := scramSHA256(s, auth, forge); err != nil || forge {
			return err
		}
		if _, err := s.expect("stream"); err != nil {
			return err
		}
		return s.send(serverHeader + features2)
	}

	t.Run("scram, bind, session optional", func(t *testing.T) {
		bound, err, serr := runFake(t, bot, false, func(s *fakeServer) error {
			if err := login(s, featuresBind, false); err != nil {
				return err
			}
			if err := bindAs(s, bot+"/other"); err != nil {
				return err
			}
			// An optional session is left out: the client is done.
			if _, err := s.next(); err == nil {
				return errors.New("client sent more after binding")
			}
			return nil
		})
		if err != nil || serr != nil || bound != bot+"/other" {
			t.Fatalf("bound %q, err %v, server %v", bound, err, serr)
		}
	})

	t.Run("session required", func(t *testing.T) {
		_, err, serr := runFake(t, bot, false, func(s *fakeServer) error {
			if err := login(s, `<stream:features><bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'/><session xmlns='urn:ietf:params:xml:ns:xmpp-session'/></stream:features>`, false); err != nil {
				return err
			}
			if err := bindAs(s, bot+"/badges"); err != nil {
				return err
			}
			req, err := s.expect("iq")
			if err != nil {
				return err
			}
			if len(req.Children) != 1 || req.Children[0].XMLName.Space != nsSession {
				return errors.New("no session request")
			}
			return s.send("<iq type='result' id='" + req.attr("id") + "'/>")
		})
		if err != nil || serr != nil {
			t.Fatalf("err %v, server %v", err, serr)
		}
	})

	t.Run("forged server signature", func(t *testing.T) {
		_, err, _ := runFake(t, bot, false, func(s *fakeServer) error { return login(s, "", true) })
		if err == nil || !strings.Contains(err.Error(), "the server's final message") {
			t.Fatalf("err = %v", err)
		}
	})

	t.Run("bound to another account", func(t *testing.T) {
		_, err, _ := runFake(t, bot, false, func(s *fakeServer) error {
			if err := login(s, featuresBind, false); err != nil {
				return err
			}
			return bindAs(s, "mallory@example.com/badges")
		})
		if err == nil || !strings.Contains(err.Error(), "not a resource of "+bot) {
			t.Fatalf("err = %v", err)
		}
	})
}

func TestLoginRefusals(t *testing.T) {
	for _, tc := range []struct {
		name, jid, server, want string
		plainOK                 bool
	}{
		{"not authorized", "bot@example.com",
			featuresSCRAM + "<failure xmlns='urn:ietf:params:xml:ns:xmpp-sasl'><not-authorized/><text>no</text></failure>",
			"xmpp: sasl SCRAM-SHA-256: wrong password or unknown account bot@example.com (server says: no)", false},
		{"success without proof", "bot@example.com",
			featuresSCRAM + "<success xmlns='urn:ietf:params:xml:ns:xmpp-sasl'/>",
			"without proving that it knows the password", false},
		{"looping challenge", "bot@example.com",
			featuresSCRAM + "<challenge xmlns='urn:ietf:params:xml:ns:xmpp-sasl'>" + base64.StdEncoding.EncodeToString([]byte("r=x,s=c2FsdA==,i=4096,")) + "</challenge>",
			"malformed SCRAM challenge", false},
		{"costly challenge", "bot@example.com",
			featuresSCRAM + "<challenge xmlns='urn:ietf:params:xml:ns:xmpp-sasl'>" + base64.StdEncoding.EncodeToString([]byte("r=x,s=c2FsdA==,i=999999999")) + "</challenge>",
			"999999999 PBKDF2 iterations", false},
		{"plain without tls", "bot@example.com",
			"<stream:features><mechanisms xmlns='urn:ietf:params:xml:ns:xmpp-sasl'><mechanism>PLAIN</mechanism></mechanisms></stream:features>",
			"PLAIN only over TLS or to loopback", false},
		{"tls required", "bot@example.com",
			"<stream:features><starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'><required/></starttls></stream:features>",
			"requires TLS", true},
		{"stream error", "bot@example.com",
			"<stream:error><host-unknown xmlns='urn:ietf:params:xml:ns:xmpp-streams'/></stream:error>",
			"stream error host-unknown", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var auths []string
			_, err, _ := runFake(t, tc.jid, tc.plainOK, func(s *fakeServer) error {
				if _, err := s.expect("stream"); err != nil {
					return err
				}
				if err := s.send(serverHeader + tc.server); err != nil {
					return err
				}
				for {
					e, err := s.next()
					if err != nil {
						return nil // the client hung up
					}
					if e.XMLName.Local == "auth" {
						auths = append(auths, e.attr("mechanism"))
					}
				}
			})
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want %q", err, tc.want)
			}
			if slices.Contains(auths, "PLAIN") {
				t.Error("the password went out with PLAIN")
			}
		})
	}
}

// TestSCRAMEscapesAccountName checks the client-first-message (RFC 5802
// 5.1): ',' and '=' travel as "=2C" and "=3D".
func TestSCRAMEscapesAccountName(t *testing.T) {
	var first string
	_, err, serr := runFake(t, "a,b=c@example.com", false, func(s *fakeServer) error {
		if _, err := s.expect("stream"); err != nil {
			return err
		}
		if err := s.send(serverHeader + featuresSCRAM); err != nil {
			return err
		}
		auth, err := s.expect("auth")
		if err != nil {
			return err
		}
		b, err := base64.StdEncoding.DecodeString(auth.Text)
		first = string(b)
		if err != nil {
			return err
		}
		return s.send("<failure xmlns='" + nsSASL + "'><not-authorized/></failure>")
	})
	if serr != nil {
		t.Fatal(serr)
	}
	if !strings.HasPrefix(first, "n,,n=a=2Cb=3Dc,r=") {
		t.Errorf("client-first-message %q", first)
	}
	if err == nil || !strings.Contains(err.Error(), "unknown account a,b=c@example.com") {
		t.Errorf("err = %v", err)
	}
}

// FuzzFeatures reads arbitrary stream features: the reader must not panic,
// and the mechanism chosen must be one on offer and safe on the connection.
func FuzzFeatures(f *testing.F) {
	f.Add(`<stream:features><mechanisms xmlns='urn:ietf:params:xml:ns:xmpp-sasl'><mechanism>SCRAM-SHA-1-PLUS</mechanism><mechanism> plain </mechanism></mechanisms></stream:features>`)
	f.Add(`<stream:features><starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'><required/></starttls></stream:features>`)
	f.Add(`<stream:features><sasl-channel-binding xmlns='urn:xmpp:sasl-cb:0'><channel-binding type='tls-exporter'/></sasl-channel-binding><mechanisms xmlns='urn:ietf:params:xml:ns:xmpp-sasl'><mechanism>SCRAM-SHA-256-PLUS</mechanism></mechanisms></stream:features>`)
	f.Add(featuresBind)
	f.Fuzz(func(t *testing.T, body string) {
		r := newStreamReader(strings.NewReader(header + body))
		se, err := r.element()
		if err != nil || se.Name.Local != "features" {
			return
		}
		feat, err := decodeFeatures(r, &se)
		if err != nil {
			return
		}
		for _, cs := range []*tls.ConnectionState{nil, tls12, tls12NoCB, tls13} {
			for _, plainOK := range []bool{false, true} {
				m, err := chooseMechanism(feat, cs, plainOK)
				if err != nil {
					continue
				}
				switch {
				case !slices.Contains(feat.mechanisms, m.Name):
					t.Fatalf("chose %s, not on offer in %v", m.Name, feat.mechanisms)
				case m.Name == "PLAIN" && cs == nil && !plainOK:
					t.Fatal("chose PLAIN in the clear")
				case strings.HasSuffix(m.Name, "-PLUS") && (channelBinding(cs) == "" ||
					feat.cbTypes != nil && !slices.Contains(feat.cbTypes, channelBinding(cs))):
					t.Fatalf("chose %s without a channel binding for %+v", m.Name, feat.cbTypes)
				}
			}
		}
	})
}

// FuzzLogin runs the client's side of a login against arbitrary server
// input: it must end, without panicking, and bind nothing but a resource
// of its own account.
func FuzzLogin(f *testing.F) {
	f.Add(featuresSCRAM + `<challenge xmlns='urn:ietf:params:xml:ns:xmpp-sasl'>cj14LHM9YzJGc2RBPT0saT00MDk2</challenge>`)
	f.Add(`<stream:features><mechanisms xmlns='urn:ietf:params:xml:ns:xmpp-sasl'><mechanism>PLAIN</mechanism></mechanisms></stream:features>` +
		`<success xmlns='urn:ietf:params:xml:ns:xmpp-sasl'/>` + header + featuresBind +
		`<iq type='result' id='t-1'><bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'><jid>bot@example.com/x</jid></bind></iq>`)
	f.Add(featuresSCRAM + `<failure xmlns='urn:ietf:params:xml:ns:xmpp-sasl'><account-disabled/></failure>`)
	cfg, err := Config{JID: "bot@example.com", Password: password}.normalize()
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, body string) {
		n := &negotiation{cfg: &cfg, w: io.Discard, r: newStreamReader(strings.NewReader(header + body)), plainOK: true, ids: idGen{prefix: "t-"}}
		jid, _, err := n.run()
		if err == nil && !strings.HasPrefix(jid, cfg.JID+"/") {
			t.Fatalf("bound %q", jid)
		}
	})
}

// Under TLS 1.3 the watcher binds to the channel (-PLUS) only when the
// server names tls-exporter (XEP-0440). A server that offers -PLUS without
// saying what it binds to may know only tls-unique, which TLS 1.3 lacks
// (older ejabberd, Prosody 0.12): the login must use plain SCRAM there.
func TestTLS13PlusOnlyWithTLSExporter(t *testing.T) {
	const bot = "bot@example.com"
	offered := `<stream:features><mechanisms xmlns='urn:ietf:params:xml:ns:xmpp-sasl'>` +
		`<mechanism>SCRAM-SHA-256-PLUS</mechanism><mechanism>SCRAM-SHA-256</mechanism></mechanisms></stream:features>`
	bound, err, serr := runFakeOver(t, bot, tls13, false, func(s *fakeServer) error {
		if _, err := s.expect("stream"); err != nil {
			return err
		}
		if err := s.send(serverHeader + offered); err != nil {
			return err
		}
		auth, err := s.expect("auth")
		if err != nil {
			return err
		}
		if m := auth.attr("mechanism"); m != "SCRAM-SHA-256" {
			return errors.New("client chose " + m + " from a server that names no channel binding")
		}
		if err := scramSHA256(s, auth, false); err != nil {
			return err
		}
		if _, err := s.expect("stream"); err != nil {
			return err
		}
		if err := s.send(serverHeader + featuresBind); err != nil {
			return err
		}
		return bindAs(s, bot+"/badges")
	})
	if err != nil || serr != nil || bound != bot+"/badges" {
		t.Fatalf("bound %q, err %v, server %v", bound, err, serr)
	}

	// Where the server names tls-exporter, -PLUS is chosen.
	named := features{mechanisms: []string{"SCRAM-SHA-256-PLUS", "SCRAM-SHA-256"}, cbTypes: []string{"tls-exporter"}}
	m, err := chooseMechanism(named, tls13, false)
	if err != nil || m.Name != "SCRAM-SHA-256-PLUS" {
		t.Errorf("with tls-exporter named: %q, %v; want SCRAM-SHA-256-PLUS", m.Name, err)
	}
}
