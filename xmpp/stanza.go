package xmpp

import (
	"encoding/xml"
	"strconv"
	"strings"

	"mellium.im/xmpp/disco"

	"badges/presence"
)

// Namespaces of the stanza payloads the watcher understands.
const (
	nsRoster    = "jabber:iq:roster"
	nsPing      = "urn:xmpp:ping"
	nsDiscoInfo = "http://jabber.org/protocol/disco#info"
	nsMUC       = "http://jabber.org/protocol/muc"
	nsMUCOwner  = "http://jabber.org/protocol/muc#owner"
	nsData      = "jabber:x:data"
	nsStanzas   = "urn:ietf:params:xml:ns:xmpp-stanzas"
)

// stanza is one <message/>, <presence/> or <iq/> as received. Every value
// is read as a string, so that no value, however odd, can fail the decoding
// of a well-formed stream.
type stanza struct {
	XMLName xml.Name
	From    string `xml:"from,attr"`
	ID      string `xml:"id,attr"`
	Type    string `xml:"type,attr"`

	Show     string       `xml:"show"`
	Status   []langText   `xml:"status"`
	Priority string       `xml:"priority"`
	Body     []langText   `xml:"body"`
	MUC      *mucUserX    `xml:"http://jabber.org/protocol/muc#user x"`
	Error    *stanzaError `xml:"error"`

	Roster *rosterQuery `xml:"jabber:iq:roster query"`
	Ping   *struct{}    `xml:"urn:xmpp:ping ping"`
	Disco  *disco.Info  `xml:"http://jabber.org/protocol/disco#info query"`

	// Rich presence (docs/API.md#rich-presence).
	Caps        *capsXML        `xml:"http://jabber.org/protocol/caps c"`
	Idle        *idleXML        `xml:"urn:xmpp:idle:1 idle"`
	VCardUpdate *vcardUpdateXML `xml:"vcard-temp:x:update x"`
	Event       *pubsubEvent    `xml:"http://jabber.org/protocol/pubsub#event event"`
	PubSub      *pubsubQuery    `xml:"http://jabber.org/protocol/pubsub pubsub"`
	VCard       *vcardXML       `xml:"vcard-temp vCard"`
	Last        *lastXML        `xml:"jabber:iq:last query"`

	Other []element `xml:",any"`
}

// langText is a child that may appear once per language (RFC 6120 8.3.3).
type langText struct {
	Lang string `xml:"lang,attr"`
	Text string `xml:",chardata"`
}

// element names a child the watcher does not otherwise read.
type element struct {
	XMLName xml.Name
}

// stanzaError is the <error/> child of an error stanza (RFC 6120 8.3).
type stanzaError struct {
	Type       string    `xml:"type,attr"`
	Conditions []element `xml:",any"`
}

// condition returns the defined condition, e.g. "conflict".
func (e *stanzaError) condition() string {
	if e == nil {
		return ""
	}
	for _, c := range e.Conditions {
		if c.XMLName.Space == nsStanzas && c.XMLName.Local != "text" {
			return c.XMLName.Local
		}
	}
	return "undefined-condition"
}

// mucUserX is the XEP-0045 <x xmlns='…muc#user'/> of room presence; the
// watcher reads only its status codes.
type mucUserX struct {
	Statuses []struct {
		Code string `xml:"code,attr"`
	} `xml:"status"`
}

// hasStatus reports whether the room presence carries status code code.
func (x *mucUserX) hasStatus(code string) bool {
	if x == nil {
		return false
	}
	for _, s := range x.Statuses {
		if strings.TrimSpace(s.Code) == code {
			return true
		}
	}
	return false
}

func (s *stanza) kind() string { return s.XMLName.Local }

// text picks the text without a language tag, else the first one: the
// watcher serves one status text and cannot know the reader's language.
func text(ts []langText) string {
	for _, t := range ts {
		if t.Lang == "" {
			return t.Text
		}
	}
	if len(ts) > 0 {
		return ts[0].Text
	}
	return ""
}

// status maps <show/> to a status (RFC 6121 4.7.2.1); absent or unknown
// values mean plain availability.
func status(show string) presence.Status {
	switch strings.TrimSpace(show) {
	case "chat":
		return presence.Chat
	case "away":
		return presence.Away
	case "xa":
		return presence.XA
	case "dnd":
		return presence.DND
	}
	return presence.Available
}

// priority parses <priority/> (RFC 6121 4.7.2.3): an integer from -128 to
// 127, zero when absent or invalid.
func priority(s string) int {
	n, err := strconv.Atoi(strings.TrimSpace(s))
	if err != nil {
		return 0
	}
	return min(max(n, -128), 127)
}

// splitJID splits a JID into its normalised bare part and its resource
// (RFC 7622 3.1: the resource is everything after the first slash).
func splitJID(s string) (bare, resource string, err error) {
	if i := strings.IndexByte(s, '/'); i >= 0 {
		s, resource = s[:i], s[i+1:]
	}
	bare, err = presence.ParseJID(s)
	return bare, resource, err
}
