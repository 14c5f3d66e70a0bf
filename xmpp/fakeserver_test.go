package xmpp

import (
	"crypto/sha256"
	"crypto/tls"
	"encoding/base64"
	"encoding/xml"
	"errors"
	"io"
	"net"
	"testing"
	"time"

	"mellium.im/sasl"
)

// fakeServer plays the server's side of a login over a pipe.
type fakeServer struct {
	t    *testing.T
	conn net.Conn
	dec  *xml.Decoder
}

// clientElement is one top-level element the client sent.
type clientElement struct {
	XMLName  xml.Name
	Attrs    []xml.Attr      `xml:",any,attr"`
	Text     string          `xml:",chardata"`
	Children []clientElement `xml:",any"`
}

func (e clientElement) attr(name string) string {
	for _, a := range e.Attrs {
		if a.Name.Local == name {
			return a.Value
		}
	}
	return ""
}

// next reads the client's next element; a stream header comes back with
// its name only.
func (s *fakeServer) next() (clientElement, error) {
	se, err := nextStart(s.dec)
	if err != nil {
		return clientElement{}, err
	}
	if se.Name.Local == "stream" {
		return clientElement{XMLName: se.Name}, nil
	}
	var e clientElement
	err = s.dec.DecodeElement(&e, &se)
	return e, err
}

// expect reads the client's next element and checks its name.
func (s *fakeServer) expect(local string) (clientElement, error) {
	e, err := s.next()
	if err == nil && e.XMLName.Local != local {
		err = errors.New("client sent <" + e.XMLName.Local + "> where <" + local + "> belongs")
	}
	return e, err
}

func (s *fakeServer) send(x string) error {
	_, err := io.WriteString(s.conn, x)
	return err
}

const (
	serverHeader  = `<?xml version='1.0'?><stream:stream xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams' id='s1' from='example.com' version='1.0'>`
	featuresSCRAM = `<stream:features><mechanisms xmlns='urn:ietf:params:xml:ns:xmpp-sasl'><mechanism>SCRAM-SHA-256</mechanism><mechanism>PLAIN</mechanism></mechanisms></stream:features>`
	featuresBind  = `<stream:features><bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'/><session xmlns='urn:ietf:params:xml:ns:xmpp-session'><optional/></session></stream:features>`
)

// runFake runs a login against script and returns the login's error, the
// bound JID and the script's error.
func runFake(t *testing.T, jid string, plainOK bool, script func(s *fakeServer) error) (bound string, err, serverErr error) {
	t.Helper()
	return runFakeOver(t, jid, nil, plainOK, script)
}

// runFakeOver is runFake on a connection the client takes to be secured
// as cs says (nil: not at all).
func runFakeOver(t *testing.T, jid string, cs *tls.ConnectionState, plainOK bool, script func(s *fakeServer) error) (bound string, err, serverErr error) {
	t.Helper()
	cfg, err := Config{JID: jid, Password: password}.normalize()
	must(t, err)
	client, server := net.Pipe()
	defer client.Close()
	must(t, client.SetDeadline(time.Now().Add(wait)))
	done := make(chan error, 1)
	go func() {
		defer server.Close()
		done <- script(&fakeServer{t: t, conn: server, dec: xml.NewDecoder(server)})
	}()
	n := &negotiation{cfg: &cfg, w: client, r: newStreamReader(client), tls: cs, plainOK: plainOK, ids: idGen{prefix: "t-"}}
	bound, _, err = n.run()
	client.Close()
	return bound, err, <-done
}

// scramSHA256 is the server's side of SCRAM-SHA-256 for password. If forge
// is set, it answers with a signature made without knowing the password.
func scramSHA256(s *fakeServer, auth clientElement, forge bool) error {
	srv := sasl.NewServer(sasl.ScramSha256, nil, sasl.SaltedCredentials(
		func(_, _ []byte, _ string) ([]byte, []byte, int64, error) {
			salt := []byte("salt")
			return salt, sasl.SCRAMSaltPassword(sha256.New, []byte(password), salt, 4096), 4096, nil
		}))
	first, err := base64.StdEncoding.DecodeString(auth.Text)
	if err != nil {
		return err
	}
	_, challenge, err := srv.Step(first)
	if err != nil {
		return err
	}
	if err := s.send("<challenge xmlns='" + nsSASL + "'>" + base64.StdEncoding.EncodeToString(challenge) + "</challenge>"); err != nil {
		return err
	}
	resp, err := s.expect("response")
	if err != nil {
		return err
	}
	final, err := base64.StdEncoding.DecodeString(resp.Text)
	if err != nil {
		return err
	}
	_, verifier, err := srv.Step(final)
	if err != nil {
		return err
	}
	if forge {
		verifier = []byte("v=" + base64.StdEncoding.EncodeToString(make([]byte, sha256.Size)))
	}
	return s.send("<success xmlns='" + nsSASL + "'>" + base64.StdEncoding.EncodeToString(verifier) + "</success>")
}

// bindAs answers the bind request with jid.
func bindAs(s *fakeServer, jid string) error {
	req, err := s.expect("iq")
	if err != nil {
		return err
	}
	if len(req.Children) != 1 || req.Children[0].XMLName.Local != "bind" {
		return errors.New("bind request without <bind/>")
	}
	return s.send("<iq type='result' id='" + req.attr("id") + "'><bind xmlns='" + nsBind + "'><jid>" + jid + "</jid></bind></iq>")
}
