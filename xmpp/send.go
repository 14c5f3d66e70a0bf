package xmpp

import (
	"encoding/xml"
	"strconv"
	"strings"
)

// Outgoing stanzas, built as text: each is small, fixed in shape, and every
// value in it passes through esc.

// esc escapes s for XML text and for attribute values in either quote.
func esc(s string) string {
	var b strings.Builder
	_ = xml.EscapeText(&b, []byte(s)) // writes to a strings.Builder cannot fail
	return b.String()
}

// attr renders ` name='value'`, or nothing for an empty value.
func attr(name, value string) string {
	if value == "" {
		return ""
	}
	return " " + name + "='" + esc(value) + "'"
}

// presenceTo is a bare directed presence for subscription management
// (RFC 6121 3).
func presenceTo(to, typ string) string {
	return "<presence" + attr("to", to) + attr("type", typ) + "/>"
}

// ownPresence is the watcher's availability. <show>chat</show> says it
// takes chat commands; priority 0 lets messages to its bare JID reach it;
// its capabilities ask for PEP notifications (see caps.go).
func ownPresence() string {
	return "<presence><show>chat</show><priority>0</priority>" + capsElement + "</presence>"
}

// unavailable ends the session's presence, also in every room (RFC 6121
// 4.6.3: the server sends it on to entities that got directed presence).
func unavailable() string { return "<presence type='unavailable'/>" }

// endStream closes our half of the stream (RFC 6120 4.4).
const endStream = "</stream:stream>"

func iq(typ, id, to, payload string) string {
	return "<iq" + attr("type", typ) + attr("id", id) + attr("to", to) + ">" + payload + "</iq>"
}

func rosterGet(id string) string {
	return iq("get", id, "", "<query xmlns='"+nsRoster+"'/>")
}

// rosterRemove deletes a contact (RFC 6121 2.5): the server also cancels
// the subscriptions in both directions.
func rosterRemove(id, jid string) string {
	return iq("set", id, "", "<query xmlns='"+nsRoster+"'><item"+attr("jid", jid)+" subscription='remove'/></query>")
}

func pingIQ(id, to string) string {
	return iq("get", id, to, "<ping xmlns='"+nsPing+"'/>")
}

func iqResult(id, to string) string { return iq("result", id, to, "") }

// iqError answers a get or set we do not serve (RFC 6120 8.3.3).
func iqError(id, to, errType, condition string) string {
	return iq("error", id, to, "<error type='"+errType+"'><"+condition+" xmlns='"+nsStanzas+"'/></error>")
}

// discoInfo answers XEP-0030 queries, also for the node of the watcher's
// capabilities (XEP-0115 6.2).
func discoInfo(id, to, node string) string {
	return iq("result", id, to, discoInfoPayload(node))
}

// mucJoin enters a room without its history (XEP-0045 7.2.1, 7.2.14).
func mucJoin(room, nick string) string {
	return "<presence" + attr("to", room+"/"+nick) + "><x xmlns='" + nsMUC + "'><history maxstanzas='0'/></x></presence>"
}

// mucInstant accepts the default configuration of a room the watcher just
// created, which unlocks it for others (XEP-0045 10.1.2).
func mucInstant(id, room string) string {
	return iq("set", id, room, "<query xmlns='"+nsMUCOwner+"'><x xmlns='"+nsData+"' type='submit'/></query>")
}

func chat(to, body string) string {
	return "<message" + attr("to", to) + " type='chat'><body>" + esc(body) + "</body></message>"
}

// idGen numbers the IQs of one session. A random prefix keeps others from
// guessing an ID and answering in the server's stead.
type idGen struct {
	prefix string
	n      uint64
}

func (g *idGen) next() string {
	g.n++
	return g.prefix + strconv.FormatUint(g.n, 36)
}
