package xmpp

import (
	"errors"
	"testing"
)

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
