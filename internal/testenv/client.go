package testenv

import (
	"encoding/xml"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	goxmpp "github.com/xmppo/go-xmpp"
)

// closeWait bounds how long Close waits for the server to end the stream.
const closeWait = 5 * time.Second

// Stanza is what a test client received, flattened.
type Stanza struct {
	Kind   string // "presence", "message" or "iq"
	From   string
	Type   string
	Show   string
	Status string
	Body   string
	ID     string
}

// Client acts as a person's XMPP client: a real session against the test
// server, driven by the test.
type Client struct {
	JID  string // bare JID
	Full string // the bound full JID

	t      T
	c      *goxmpp.Client
	events chan Stanza
	ended  chan struct{} // closed when the receive loop ends
	closed bool
	pings  int
	iqs    int

	discoMu sync.Mutex
	disco   string // the children of this client's disco#info answer
	discoN  atomic.Int64
}

// Connect logs in as jid with the given resource. The library sends an
// initial presence (available) while logging in. The client is closed at
// the test's end.
func (p *Prosody) Connect(jid, password, resource string) *Client {
	p.t.Helper()
	opts := goxmpp.Options{
		Host: p.Addr, User: jid, Password: password, Resource: resource,
		NoTLS: true, InsecureAllowUnencryptedAuth: true,
		DialTimeout: 5 * time.Second,
	}
	c, err := opts.NewClient()
	if err != nil {
		p.t.Fatalf("testenv: log in as %s: %v", jid, err)
	}
	// Like a person's client, ask for the roster: servers deliver changes
	// of subscription state only to sessions that did (RFC 6121 2.1.6).
	if err := c.Roster(); err != nil {
		p.t.Fatalf("testenv: %s: roster request: %v", jid, err)
	}
	cl := &Client{JID: jid, Full: c.JID(), t: p.t, c: c, events: make(chan Stanza, 256), ended: make(chan struct{})}
	go cl.receive()
	p.t.Cleanup(cl.Close)
	return cl
}

// receive runs until the stream ends: the server closes it after Close, or
// the connection drops.
func (c *Client) receive() {
	defer close(c.ended)
	defer close(c.events)
	for {
		v, err := c.c.Recv()
		if err != nil {
			return
		}
		var s Stanza
		switch v := v.(type) {
		case goxmpp.Presence:
			s = Stanza{Kind: "presence", From: v.From, Type: v.Type, Show: v.Show, Status: v.Status, ID: v.ID}
		case goxmpp.Chat:
			s = Stanza{Kind: "message", From: v.Remote, Type: v.Type, Body: v.Text}
		case goxmpp.IQ:
			if v.Type == "get" && c.answerDisco(v) {
				continue
			}
			s = Stanza{Kind: "iq", From: v.From, Type: v.Type, ID: v.ID}
		case goxmpp.DiscoResult: // the library's form of a disco#info result
			s = Stanza{Kind: "iq", From: v.From, Type: "result", ID: v.ID}
		default:
			continue
		}
		c.events <- s // a test that stops reading leaves it blocked until Close
	}
}

// Await returns the first stanza that match accepts, discarding the others,
// or fails the test after timeout.
func (c *Client) Await(timeout time.Duration, what string, match func(Stanza) bool) Stanza {
	c.t.Helper()
	t := time.NewTimer(timeout)
	defer t.Stop()
	for {
		select {
		case s, ok := <-c.events:
			if !ok {
				c.t.Fatalf("testenv: %s: connection ended while waiting for %s", c.JID, what)
			}
			if match(s) {
				return s
			}
		case <-t.C:
			c.t.Fatalf("testenv: %s: no %s within %v", c.JID, what, timeout)
		}
	}
}

// AwaitPresence waits for a presence of the given type from the bare or
// full JID from.
func (c *Client) AwaitPresence(timeout time.Duration, from, typ string) Stanza {
	c.t.Helper()
	return c.Await(timeout, fmt.Sprintf("presence type %q from %s", typ, from), func(s Stanza) bool {
		return s.Kind == "presence" && s.Type == typ && (s.From == from || strings.HasPrefix(s.From, from+"/"))
	})
}

// Ping sends an XEP-0199 ping to the full JID to and waits for the answer,
// a result or an error. Since a server delivers one sender's stanzas in
// order, everything this client sent before has then reached to.
func (c *Client) Ping(to string, timeout time.Duration) Stanza {
	c.t.Helper()
	c.pings++
	id := "ping-" + strconv.Itoa(c.pings)
	if err := c.SendRaw("<iq type='get' id='" + id + "' to='" + esc(to) + "'><ping xmlns='urn:xmpp:ping'/></iq>"); err != nil {
		c.t.Fatalf("testenv: %s: ping: %v", c.JID, err)
	}
	return c.Await(timeout, "answer to "+id, func(s Stanza) bool { return s.Kind == "iq" && s.ID == id })
}

// SendRaw sends one stanza as is.
func (c *Client) SendRaw(stanza string) error {
	_, err := c.c.SendOrg(stanza)
	return err
}

// SetPresence announces availability: show is "" (available), chat, away,
// xa or dnd.
func (c *Client) SetPresence(show, status string, priority int) error {
	var b strings.Builder
	b.WriteString("<presence>")
	if show != "" {
		b.WriteString("<show>" + esc(show) + "</show>")
	}
	if status != "" {
		b.WriteString("<status>" + esc(status) + "</status>")
	}
	b.WriteString("<priority>" + strconv.Itoa(priority) + "</priority></presence>")
	return c.SendRaw(b.String())
}

// Unavailable ends this resource's presence without closing the stream.
func (c *Client) Unavailable() error { return c.SendRaw("<presence type='unavailable'/>") }

// Subscription sends presence of type typ (subscribe, subscribed,
// unsubscribe, unsubscribed) to jid.
func (c *Client) Subscription(jid, typ string) error {
	return c.SendRaw("<presence to='" + esc(jid) + "' type='" + esc(typ) + "'/>")
}

// RemoveContact deletes jid from the roster, which cancels the
// subscriptions both ways (RFC 6121 2.5).
func (c *Client) RemoveContact(jid string) error {
	return c.SendRaw("<iq type='set' id='rm-" + esc(jid) + "'><query xmlns='jabber:iq:roster'><item jid='" +
		esc(jid) + "' subscription='remove'/></query></iq>")
}

// JoinRoom enters a multi-user chat room under nick.
func (c *Client) JoinRoom(room, nick string) error {
	return c.SendRaw("<presence to='" + esc(room+"/"+nick) + "'><x xmlns='http://jabber.org/protocol/muc'><history maxstanzas='0'/></x></presence>")
}

// LeaveRoom leaves a room.
func (c *Client) LeaveRoom(room, nick string) error {
	return c.SendRaw("<presence to='" + esc(room+"/"+nick) + "' type='unavailable'/>")
}

// Say sends a chat message.
func (c *Client) Say(to, body string) error {
	_, err := c.c.Send(goxmpp.Chat{Remote: to, Type: "chat", Text: body})
	return err
}

// Close ends the session and waits for the server to close the stream.
func (c *Client) Close() {
	if c.closed {
		return
	}
	c.closed = true
	c.c.SendOrg("</stream:stream>")
	t := time.NewTimer(closeWait)
	defer t.Stop()
	for {
		select {
		case _, ok := <-c.events:
			if !ok {
				<-c.ended
				return
			}
		case <-t.C:
			c.t.Errorf("testenv: %s: %v", c.JID, errors.New("server did not close the stream"))
			return
		}
	}
}

func esc(s string) string {
	var b strings.Builder
	_ = xml.EscapeText(&b, []byte(s)) // a strings.Builder does not fail
	return b.String()
}

// SetDiscoInfo sets what the client answers to disco#info (XEP-0030), for
// any node: the <identity/> and <feature/> elements, as XML.
func (c *Client) SetDiscoInfo(children string) {
	c.discoMu.Lock()
	defer c.discoMu.Unlock()
	c.disco = children
}

// answerDisco answers a disco#info get, once SetDiscoInfo was called.
func (c *Client) answerDisco(v goxmpp.IQ) bool {
	var q struct {
		XMLName xml.Name
		Node    string `xml:"node,attr"`
	}
	if xml.Unmarshal(v.Query, &q) != nil || q.XMLName.Space != "http://jabber.org/protocol/disco#info" {
		return false
	}
	c.discoMu.Lock()
	children := c.disco
	c.discoMu.Unlock()
	if children == "" {
		return false
	}
	node := ""
	if q.Node != "" {
		node = " node='" + esc(q.Node) + "'"
	}
	_ = c.SendRaw("<iq type='result' id='" + esc(v.ID) + "' to='" + esc(v.From) + "'><query xmlns='http://jabber.org/protocol/disco#info'" +
		node + ">" + children + "</query></iq>")
	c.discoN.Add(1) // after the answer is on its way: see DiscoAnswers
	return true
}

// DiscoAnswers counts the disco#info queries the client answered; each
// answer was sent before the count grew.
func (c *Client) DiscoAnswers() int64 { return c.discoN.Load() }

// Request sends an IQ set or get with payload (XML) to to ("" for the
// account itself) and waits for its answer, which it returns.
func (c *Client) Request(typ, to, payload string, timeout time.Duration) Stanza {
	c.t.Helper()
	c.iqs++
	id := "req-" + strconv.Itoa(c.iqs)
	toAttr := ""
	if to != "" {
		toAttr = " to='" + esc(to) + "'"
	}
	if err := c.SendRaw("<iq type='" + esc(typ) + "' id='" + id + "'" + toAttr + ">" + payload + "</iq>"); err != nil {
		c.t.Fatalf("testenv: %s: request: %v", c.JID, err)
	}
	return c.Await(timeout, "answer to "+id, func(s Stanza) bool { return s.Kind == "iq" && s.ID == id })
}

// Publish publishes one PEP item (XEP-0163) of node with id and payload
// (XML) and fails the test unless the server accepts it.
func (c *Client) Publish(node, id, payload string, timeout time.Duration) {
	c.t.Helper()
	item := "<item>"
	if id != "" {
		item = "<item id='" + esc(id) + "'>"
	}
	ans := c.Request("set", "", "<pubsub xmlns='http://jabber.org/protocol/pubsub'><publish node='"+esc(node)+"'>"+
		item+payload+"</item></publish></pubsub>", timeout)
	if ans.Type != "result" {
		c.t.Fatalf("testenv: %s: publish to %s refused", c.JID, node)
	}
}

// Retract retracts the item id of node, notifying subscribers.
func (c *Client) Retract(node, id string, timeout time.Duration) {
	c.t.Helper()
	ans := c.Request("set", "", "<pubsub xmlns='http://jabber.org/protocol/pubsub'><retract node='"+esc(node)+
		"' notify='true'><item id='"+esc(id)+"'/></retract></pubsub>", timeout)
	if ans.Type != "result" {
		c.t.Fatalf("testenv: %s: retract from %s refused", c.JID, node)
	}
}
