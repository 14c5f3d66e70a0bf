package xmpp

import (
	"crypto/sha1" //nolint:gosec // XEP-0115 names SHA-1; it checks, it does not protect
	"crypto/sha256"
	"crypto/sha512"
	"encoding/xml"
	"hash"
	"slices"
	"strings"

	"mellium.im/xmpp/disco"
	"mellium.im/xmpp/disco/info"
	"mellium.im/xmpp/form"
)

// Entity capabilities (XEP-0115), both ways: the watcher advertises its own,
// with +notify for the PEP nodes it follows (XEP-0163 4.4), so that servers
// push their items to it; and it learns each contact resource's client type
// from theirs, trusting only what matches the hash.
//
// mellium.im/xmpp/disco holds the disco#info model and the verification
// string; the watcher adds what XEP-0115 5.4 asks of a receiver and that
// package leaves out: duplicate identities, features and forms make the
// answer invalid, a form without FORM_TYPE is left out, and forms are
// hashed in the order of their FORM_TYPE.

const (
	nsCaps = "http://jabber.org/protocol/caps"
	// capsNode names the watcher's software in its capabilities.
	capsNode = "https://badges.invalid/watcher"
)

// ownInfo is what the watcher answers to disco#info.
var ownInfo = disco.Info{
	Identity: []info.Identity{{Category: "client", Type: "bot", Name: "badges"}},
	Features: []info.Feature{
		{Var: nsDiscoInfo}, {Var: nsCaps}, {Var: nsPing},
		{Var: nsTune + "+notify"}, {Var: nsMood + "+notify"}, {Var: nsActivity + "+notify"},
		{Var: nsNick + "+notify"}, {Var: nsAvatarMeta + "+notify"},
	},
}

// ownVer is the verification string of ownInfo.
var ownVer = ownInfo.Hash(sha1.New())

// capsElement advertises ownInfo in presence.
var capsElement = "<c xmlns='" + nsCaps + "' hash='sha-1'" + attr("node", capsNode) + attr("ver", ownVer) + "/>"

// discoInfoPayload is ownInfo as a query result for node.
func discoInfoPayload(node string) string {
	i := ownInfo
	i.Node = node
	b, err := xml.Marshal(i)
	if err != nil {
		panic("xmpp: encode own disco#info: " + err.Error()) // fixed content: cannot fail
	}
	return string(b)
}

// capsXML is the <c/> of a contact's presence.
type capsXML struct {
	Hash string `xml:"hash,attr"`
	Node string `xml:"node,attr"`
	Ver  string `xml:"ver,attr"`
}

// key names what the verification string claims: the same ver under
// another hash function is another claim.
func (c *capsXML) key() string { return strings.TrimSpace(c.Hash) + " " + strings.TrimSpace(c.Ver) }

// capsHash returns the hash function XEP-0115 names name, nil for one the
// watcher does not take (legacy capabilities have none).
func capsHash(name string) hash.Hash {
	switch strings.TrimSpace(name) {
	case "sha-1":
		return sha1.New() //nolint:gosec // see the import
	case "sha-256":
		return sha256.New()
	case "sha-512":
		return sha512.New()
	}
	return nil
}

// verifyCaps checks a disco#info answer against the verification string it
// was asked for and returns the client type it names ("pc", "phone"), ""
// for a resource that is not a client. ok is false for an answer that does
// not match, which is not believed.
func verifyCaps(i disco.Info, hashName, ver string) (device string, ok bool) {
	h := capsHash(hashName)
	if h == nil || ver == "" {
		return "", false
	}
	i, valid := capsInput(i)
	if !valid || i.Hash(h) != strings.TrimSpace(ver) {
		return "", false
	}
	for _, id := range i.Identity {
		if id.Category == "client" && id.Type != "" {
			return id.Type, true
		}
	}
	return "", true
}

// capsInput prepares an answer for hashing as XEP-0115 5.4 asks: invalid
// (ok false) with duplicate identities, features or FORM_TYPEs; forms
// without a FORM_TYPE left out; forms in the order of their FORM_TYPE.
func capsInput(i disco.Info) (disco.Info, bool) {
	type ident struct{ c, t, l, n string }
	seen := make(map[ident]bool, len(i.Identity))
	for _, id := range i.Identity {
		k := ident{id.Category, id.Type, id.Lang, id.Name}
		if seen[k] {
			return i, false
		}
		seen[k] = true
	}
	vars := make(map[string]bool, len(i.Features))
	for _, f := range i.Features {
		if vars[f.Var] {
			return i, false
		}
		vars[f.Var] = true
	}
	type typed struct {
		t string
		f form.Data
	}
	var forms []typed
	for _, f := range i.Form {
		t, ok := f.GetString("FORM_TYPE")
		if !ok || f.Len() < 1 {
			continue
		}
		if slices.ContainsFunc(forms, func(o typed) bool { return o.t == t }) {
			return i, false
		}
		forms = append(forms, typed{t, f})
	}
	slices.SortFunc(forms, func(a, b typed) int { return strings.Compare(a.t, b.t) })
	out := i
	out.Identity = slices.Clone(i.Identity)
	out.Features = slices.Clone(i.Features)
	out.Form = make([]form.Data, len(forms))
	for k, f := range forms {
		out.Form[k] = f.f
	}
	return out, true
}
