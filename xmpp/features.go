package xmpp

import (
	"encoding/xml"
	"slices"
	"strings"
)

// XML namespaces of stream negotiation (RFC 6120, XEP-0440).
const (
	nsSASL    = "urn:ietf:params:xml:ns:xmpp-sasl"
	nsBind    = "urn:ietf:params:xml:ns:xmpp-bind"
	nsSession = "urn:ietf:params:xml:ns:xmpp-session"
	nsSASLCB  = "urn:xmpp:sasl-cb:0"
)

// features is what the watcher reads of <stream:features/> (RFC 6120 4.3.2).
type features struct {
	startTLS         bool
	startTLSRequired bool
	// mechanisms are the SASL mechanisms on offer (RFC 6120 6.4.1).
	mechanisms []string
	// cbTypes are the channel binding types the server names (XEP-0440);
	// nil when it names none, which leaves the default of each TLS
	// version (RFC 5929 for TLS 1.2, RFC 9266 for TLS 1.3).
	cbTypes []string
	bind    bool
	// sessionRequired: the server wants the legacy session IQ (RFC 3921
	// 3); one that marks it <optional/> does not (RFC 6121 appendix E).
	sessionRequired bool
}

// featuresXML is the wire form of the features above.
type featuresXML struct {
	StartTLS *struct {
		Required *struct{} `xml:"required"`
	} `xml:"urn:ietf:params:xml:ns:xmpp-tls starttls"`
	Mechanisms *struct {
		Names []string `xml:"mechanism"`
	} `xml:"urn:ietf:params:xml:ns:xmpp-sasl mechanisms"`
	ChannelBinding *struct {
		Types []struct {
			Type string `xml:"type,attr"`
		} `xml:"channel-binding"`
	} `xml:"urn:xmpp:sasl-cb:0 sasl-channel-binding"`
	Bind    *struct{} `xml:"urn:ietf:params:xml:ns:xmpp-bind bind"`
	Session *struct {
		Optional *struct{} `xml:"optional"`
	} `xml:"urn:ietf:params:xml:ns:xmpp-session session"`
}

// decodeFeatures reads the <stream:features/> that se starts.
func decodeFeatures(r *streamReader, se *xml.StartElement) (features, error) {
	var x featuresXML
	if err := r.decode(&x, se); err != nil {
		return features{}, err
	}
	var f features
	if x.StartTLS != nil {
		f.startTLS, f.startTLSRequired = true, x.StartTLS.Required != nil
	}
	if x.Mechanisms != nil {
		for _, m := range x.Mechanisms.Names {
			// Mechanism names are upper case by definition (RFC 4422 3.1);
			// a server that sends them otherwise still means them.
			if m = strings.ToUpper(strings.TrimSpace(m)); m != "" && !slices.Contains(f.mechanisms, m) {
				f.mechanisms = append(f.mechanisms, m)
			}
		}
	}
	if x.ChannelBinding != nil {
		f.cbTypes = []string{}
		for _, t := range x.ChannelBinding.Types {
			f.cbTypes = append(f.cbTypes, strings.TrimSpace(t.Type))
		}
	}
	f.bind = x.Bind != nil
	f.sessionRequired = x.Session != nil && x.Session.Optional == nil
	return f, nil
}
