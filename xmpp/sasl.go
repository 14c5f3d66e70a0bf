package xmpp

import (
	"crypto/tls"
	"encoding/base64"
	"encoding/xml"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"golang.org/x/text/secure/precis"
	"mellium.im/sasl"

	"badges/presence"
)

// saslPreference lists the mechanisms the watcher can use, best first.
// Channel binding ties the login to this TLS connection, so a forged
// certificate cannot relay it; SHA-256 before SHA-1; PLAIN last, and only
// where nobody can read it (see chooseMechanism).
var saslPreference = []sasl.Mechanism{
	sasl.ScramSha256Plus, sasl.ScramSha1Plus,
	sasl.ScramSha256, sasl.ScramSha1,
	sasl.Plain,
}

// maxSCRAMIterations bounds the PBKDF2 iteration count a server may ask
// for. The hashing runs in the watcher's goroutine, beyond the reach of the
// connection's deadline; Prosody uses 10000 and RFC 7677 asks for at least
// 4096, while this many already costs about a second of CPU.
const maxSCRAMIterations = 1 << 22

// channelBinding names the channel binding mellium.im/sasl uses on cs:
// tls-exporter under TLS 1.3 (RFC 9266), tls-unique below (RFC 5929), or ""
// when there is none to use (no TLS, or a resumed TLS 1.2 session without
// the extended master secret, whose tls-unique Go leaves empty).
func channelBinding(cs *tls.ConnectionState) string {
	switch {
	case cs == nil:
		return ""
	case cs.Version >= tls.VersionTLS13:
		return "tls-exporter"
	case len(cs.TLSUnique) > 0:
		return "tls-unique"
	}
	return ""
}

// usable lists the mechanisms of saslPreference the watcher may use on this
// connection. -PLUS needs a channel binding the server supports. Under TLS
// 1.2 that is tls-unique, the default of every server that offers -PLUS at
// all, unless it names others (XEP-0440). Under TLS 1.3 it is tls-exporter
// only if the server names it: servers that predate RFC 9266 (Prosody 0.12,
// older ejabberd) offer -PLUS but bind only tls-unique, which TLS 1.3 does
// not have, and the login would fail. PLAIN sends the password itself: only
// over TLS, or to loopback in TLS mode none.
func usable(cs *tls.ConnectionState, cbTypes []string, plainOK bool) []sasl.Mechanism {
	cb := channelBinding(cs)
	cbOK := cb != "" && slices.Contains(cbTypes, cb)
	if cb == "tls-unique" && cbTypes == nil {
		cbOK = true
	}
	var out []sasl.Mechanism
	for _, m := range saslPreference {
		switch {
		case strings.HasSuffix(m.Name, "-PLUS") && !cbOK:
		case m.Name == sasl.Plain.Name && cs == nil && !plainOK:
		default:
			out = append(out, m)
		}
	}
	return out
}

// chooseMechanism picks the best mechanism both sides support.
func chooseMechanism(f features, cs *tls.ConnectionState, plainOK bool) (sasl.Mechanism, error) {
	ours := usable(cs, f.cbTypes, plainOK)
	for _, m := range ours {
		if slices.Contains(f.mechanisms, m.Name) {
			return m, nil
		}
	}
	names := make([]string, len(ours))
	for i, m := range ours {
		names[i] = m.Name
	}
	why := ""
	if cs == nil && !plainOK {
		why = " (PLAIN only over TLS or to loopback)"
	}
	return sasl.Mechanism{}, fmt.Errorf("xmpp: sasl: no mechanism in common: the server offers [%s], the watcher supports [%s] on this connection%s",
		strings.Join(f.mechanisms, " "), strings.Join(names, " "), why)
}

// saslText is the base64 payload of <challenge/>, <success/> (RFC 6120 6.4).
type saslText struct {
	Text string `xml:",chardata"`
}

// saslFailure is <failure/> (RFC 6120 6.5).
type saslFailure struct {
	Conditions []element `xml:",any"`
	Text       string    `xml:"text"`
}

// encode64 renders a SASL payload; an empty one is "=" in <auth/> (RFC 6120
// 6.4.2), and nothing in <response/>.
func encode64(b []byte, initial bool) string {
	if len(b) == 0 && initial {
		return "="
	}
	return base64.StdEncoding.EncodeToString(b)
}

func decode64(s string) ([]byte, error) {
	s = strings.TrimSpace(s)
	if s == "" || s == "=" {
		return nil, nil
	}
	b, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		return nil, fmt.Errorf("bad base64: %w", err)
	}
	return b, nil
}

// authenticate runs SASL (RFC 6120 6.4) and returns the mechanism used.
func (n *negotiation) authenticate(f features) (string, error) {
	mech, err := chooseMechanism(f, n.tls, n.plainOK)
	if err != nil {
		return "", err
	}
	if err := n.sasl(mech, f.mechanisms); err != nil {
		return "", fmt.Errorf("xmpp: sasl %s: %w", mech.Name, err)
	}
	return mech.Name, nil
}

func (n *negotiation) sasl(mech sasl.Mechanism, offered []string) error {
	// RFC 5802 5.1 and RFC 7677 want the password prepared, and Prosody
	// prepares its copy; a password PRECIS refuses goes as it is, and the
	// server judges it.
	pass := n.cfg.Password
	if p, err := precis.OpaqueString.String(pass); err == nil {
		pass = p
	}
	user := presence.Local(n.cfg.JID) // mellium.im/sasl escapes "," and "=" (RFC 5802 5.1)
	opts := []sasl.Option{
		sasl.Credentials(func() ([]byte, []byte, []byte) { return []byte(user), []byte(pass), nil }),
		sasl.RemoteMechanisms(offered...),
	}
	if strings.HasSuffix(mech.Name, "-PLUS") {
		opts = append(opts, sasl.TLSState(*n.tls))
	}
	neg := sasl.NewClient(mech, opts...)
	more, resp, err := neg.Step(nil)
	if err != nil {
		return err
	}
	if err := n.write("<auth xmlns='" + nsSASL + "' mechanism='" + esc(mech.Name) + "'>" + encode64(resp, true) + "</auth>"); err != nil {
		return err
	}
	for {
		se, err := n.r.element()
		if err != nil {
			return err
		}
		if se.Name.Space != nsSASL {
			return fmt.Errorf("unexpected <%s xmlns=%q>", se.Name.Local, se.Name.Space)
		}
		switch se.Name.Local {
		case "challenge":
			data, err := n.payload(&se)
			if err != nil {
				return err
			}
			if !more {
				return errors.New("the server sent a challenge after the exchange ended")
			}
			if strings.HasPrefix(mech.Name, "SCRAM-") && neg.State()&sasl.StepMask == sasl.AuthTextSent {
				if err := checkServerFirst(data); err != nil {
					return err
				}
			}
			if more, resp, err = neg.Step(data); err != nil {
				return err
			}
			if err := n.write("<response xmlns='" + nsSASL + "'>" + encode64(resp, false) + "</response>"); err != nil {
				return err
			}
		case "success":
			data, err := n.payload(&se)
			if err != nil {
				return err
			}
			if len(data) > 0 && more {
				if more, _, err = neg.Step(data); err != nil {
					// For SCRAM: the server's signature is wrong, so it does
					// not know the password; whoever it is, it is not the
					// account's server.
					return fmt.Errorf("the server's final message: %w", err)
				}
			}
			if more {
				return errors.New("the server claims success without proving that it knows the password")
			}
			return nil
		case "failure":
			var fl saslFailure
			if err := n.r.decode(&fl, &se); err != nil {
				return err
			}
			return saslError(fl, n.cfg.JID)
		default:
			return fmt.Errorf("unexpected <%s xmlns=%q>", se.Name.Local, se.Name.Space)
		}
	}
}

// checkServerFirst vets a SCRAM server-first-message (RFC 5802 5.1) before
// mellium.im/sasl sees it: the library loops for ever on one whose last
// attribute is not of the form "x=value", and it would spend as long as a
// server likes on PBKDF2, both beyond the reach of the connection's
// deadline.
func checkServerFirst(challenge []byte) error {
	attrs := strings.Split(string(challenge), ",")
	if last := attrs[len(attrs)-1]; len(last) < 3 || last[1] != '=' {
		return errors.New("malformed SCRAM challenge")
	}
	for _, attr := range attrs {
		if v, ok := strings.CutPrefix(attr, "i="); ok {
			// Read as the library reads it, which ignores trailing NULs.
			if i, err := strconv.Atoi(strings.TrimRight(v, "\x00")); err == nil && i > maxSCRAMIterations {
				return fmt.Errorf("the server asks for %d PBKDF2 iterations, more than the %d the watcher allows", i, maxSCRAMIterations)
			}
		}
	}
	return nil
}

// payload decodes the base64 text of a challenge or success.
func (n *negotiation) payload(se *xml.StartElement) ([]byte, error) {
	var t saslText
	if err := n.r.decode(&t, se); err != nil {
		return nil, err
	}
	return decode64(t.Text)
}

// maxFailureText bounds the server's text quoted in a login error, which
// ends up in a log line.
const maxFailureText = 200

// saslError explains a <failure/> in the operator's terms.
func saslError(f saslFailure, jid string) error {
	cond := "undefined condition"
	for _, c := range f.Conditions {
		if c.XMLName.Local != "text" {
			cond = c.XMLName.Local
			break
		}
	}
	var msg string
	switch cond {
	case "not-authorized":
		msg = "wrong password or unknown account " + jid
	case "account-disabled":
		msg = "account " + jid + " is disabled"
	case "credentials-expired":
		msg = "the password of " + jid + " has expired"
	case "encryption-required":
		msg = "the server wants TLS for this mechanism"
	case "invalid-mechanism":
		msg = "the server refuses the mechanism it offered"
	default:
		msg = "refused: " + cond
	}
	if t := strings.TrimSpace(f.Text); t != "" {
		if r := []rune(t); len(r) > maxFailureText {
			t = string(r[:maxFailureText]) + "…"
		}
		msg += " (server says: " + t + ")"
	}
	return errors.New(msg)
}
