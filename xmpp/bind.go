package xmpp

import (
	"fmt"

	"badges/presence"
)

// iqReply is the answer to an IQ of the login: resource binding or session.
type iqReply struct {
	ID   string `xml:"id,attr"`
	Type string `xml:"type,attr"`
	Bind *struct {
		JID string `xml:"jid"`
	} `xml:"urn:ietf:params:xml:ns:xmpp-bind bind"`
	Error *stanzaError `xml:"error"`
}

// bind binds the configured resource (RFC 6120 7) and returns the full JID
// the server assigned, which may carry another resource (7.6.2.2).
func (n *negotiation) bind() (string, error) {
	id := n.ids.next()
	err := n.write(iq("set", id, "", "<bind xmlns='"+nsBind+"'><resource>"+esc(n.cfg.Resource)+"</resource></bind>"))
	if err != nil {
		return "", fmt.Errorf("xmpp: bind: %w", err)
	}
	r, err := n.awaitIQ(id)
	if err != nil {
		return "", fmt.Errorf("xmpp: bind: %w", err)
	}
	if r.Type != "result" || r.Bind == nil {
		return "", fmt.Errorf("xmpp: bind resource %q: refused: %s", n.cfg.Resource, r.Error.condition())
	}
	bare, res, err := splitJID(r.Bind.JID)
	if err != nil || bare != n.cfg.JID || res == "" {
		// The session reads its own bare JID from the configuration: a
		// server that binds another cannot be followed.
		return "", fmt.Errorf("xmpp: bind: the server bound %q, not a resource of %s", r.Bind.JID, n.cfg.JID)
	}
	return bare + "/" + res, nil
}

// session establishes the legacy session of RFC 3921 3, for servers that
// still require it.
func (n *negotiation) session() error {
	id := n.ids.next()
	if err := n.write(iq("set", id, presence.Domain(n.cfg.JID), "<session xmlns='"+nsSession+"'/>")); err != nil {
		return fmt.Errorf("xmpp: session: %w", err)
	}
	r, err := n.awaitIQ(id)
	if err != nil {
		return fmt.Errorf("xmpp: session: %w", err)
	}
	if r.Type != "result" {
		return fmt.Errorf("xmpp: session: refused: %s", r.Error.condition())
	}
	return nil
}

// awaitIQ reads until the answer to IQ id. The server sends nothing else
// of interest before the session starts; what it does send is skipped.
func (n *negotiation) awaitIQ(id string) (*iqReply, error) {
	for {
		se, err := n.r.element()
		if err != nil {
			return nil, err
		}
		if se.Name.Space != nsClient || se.Name.Local != "iq" {
			if err := n.r.skip(); err != nil {
				return nil, err
			}
			continue
		}
		r := new(iqReply)
		if err := n.r.decode(r, &se); err != nil {
			return nil, err
		}
		if r.ID == id && (r.Type == "result" || r.Type == "error") {
			return r, nil
		}
	}
}
