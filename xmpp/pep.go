package xmpp

import (
	"encoding/xml"
	"strconv"
	"strings"

	"badges/avatar"
	"badges/presence"
)

// Namespaces of rich presence (docs/API.md#rich-presence).
const (
	nsPubSub      = "http://jabber.org/protocol/pubsub"
	nsPubSubEvent = "http://jabber.org/protocol/pubsub#event"
	nsTune        = "http://jabber.org/protocol/tune"     // XEP-0118
	nsMood        = "http://jabber.org/protocol/mood"     // XEP-0107
	nsActivity    = "http://jabber.org/protocol/activity" // XEP-0108
	nsNick        = "http://jabber.org/protocol/nick"     // XEP-0172
	nsAvatarMeta  = "urn:xmpp:avatar:metadata"            // XEP-0084
	nsAvatarData  = "urn:xmpp:avatar:data"
)

// pepNodes are the nodes whose items the watcher follows, each the
// namespace of its payload.
var pepNodes = []string{nsTune, nsMood, nsActivity, nsNick, nsAvatarMeta}

// pubsubEvent is the <event/> of a PEP notification (XEP-0060 7.1.2).
type pubsubEvent struct {
	Items  *pubsubItems `xml:"items"`
	Purge  *nodeRef     `xml:"purge"`
	Delete *nodeRef     `xml:"delete"`
}

// pubsubQuery is the <pubsub/> of an items result (XEP-0060 6.5).
type pubsubQuery struct {
	Items *pubsubItems `xml:"items"`
}

type nodeRef struct {
	Node string `xml:"node,attr"`
}

type pubsubItems struct {
	Node     string       `xml:"node,attr"`
	Items    []pubsubItem `xml:"item"`
	Retracts []nodeRef    `xml:"retract"`
}

// pubsubItem holds the payload of one item, whichever of the kinds the
// watcher reads it is.
type pubsubItem struct {
	ID         string         `xml:"id,attr"`
	Tune       *tuneXML       `xml:"http://jabber.org/protocol/tune tune"`
	Mood       *moodXML       `xml:"http://jabber.org/protocol/mood mood"`
	Activity   *activityXML   `xml:"http://jabber.org/protocol/activity activity"`
	Nick       *string        `xml:"http://jabber.org/protocol/nick nick"`
	AvatarMeta *avatarMetaXML `xml:"urn:xmpp:avatar:metadata metadata"`
	AvatarData *string        `xml:"urn:xmpp:avatar:data data"`
}

type tuneXML struct {
	Artist string `xml:"artist"`
	Length string `xml:"length"`
	Source string `xml:"source"`
	Title  string `xml:"title"`
	Track  string `xml:"track"`
	URI    string `xml:"uri"`
}

type moodXML struct {
	Text  string    `xml:"text"`
	Value []element `xml:",any"`
}

type activityXML struct {
	Text    string `xml:"text"`
	General []struct {
		XMLName  xml.Name
		Specific []element `xml:",any"`
	} `xml:",any"`
}

type avatarMetaXML struct {
	Info []avatarInfo `xml:"info"`
}

// avatarInfo describes one published form of a picture. A url names a
// copy elsewhere: the watcher never fetches it, and such an info without
// data in the node is passed over.
type avatarInfo struct {
	ID    string `xml:"id,attr"`
	Bytes string `xml:"bytes,attr"`
	Type  string `xml:"type,attr"`
	URL   string `xml:"url,attr"`
}

// pepUpdate is what one node's notification or items result says.
type pepUpdate struct {
	node string
	item *pubsubItem // the last item; nil when retracted, purged or deleted
}

// updates reads the event of a PEP notification.
func (e *pubsubEvent) updates() []pepUpdate {
	switch {
	case e == nil:
		return nil
	case e.Purge != nil:
		return []pepUpdate{{node: e.Purge.Node}}
	case e.Delete != nil:
		return []pepUpdate{{node: e.Delete.Node}}
	}
	return e.Items.updates()
}

// updates reads the items of a notification or result: the last item
// published, or nil when the notification retracts one. Every node the
// watcher follows holds a single current item (XEP-0163 4.3).
func (it *pubsubItems) updates() []pepUpdate {
	if it == nil {
		return nil
	}
	if n := len(it.Items); n > 0 {
		return []pepUpdate{{node: it.Node, item: &it.Items[n-1]}}
	}
	if len(it.Retracts) > 0 {
		return []pepUpdate{{node: it.Node}}
	}
	return nil
}

// apply changes p by u. It returns the picture to fetch, if u announces
// one: the first info with data in the node (no url), of at most
// avatar.MaxBytes, preferring PNG.
func (u pepUpdate) apply(p *presence.Profile) (fetch *avatarInfo) {
	it := u.item
	switch u.node {
	case nsTune:
		p.Tune = nil
		if it != nil && it.Tune != nil {
			p.Tune = it.Tune.tune()
		}
	case nsMood:
		p.Mood = nil
		if it != nil && it.Mood != nil {
			p.Mood = it.Mood.mood()
		}
	case nsActivity:
		p.Activity = nil
		if it != nil && it.Activity != nil {
			p.Activity = it.Activity.activity()
		}
	case nsNick:
		p.Nick = ""
		if it != nil && it.Nick != nil {
			p.Nick = *it.Nick
		}
	case nsAvatarMeta:
		if it != nil && it.AvatarMeta != nil {
			fetch = it.AvatarMeta.pick()
		}
		if fetch == nil { // disabled, or nothing the watcher may fetch
			p.PEPAvatar = ""
		}
		return fetch
	}
	return nil
}

func (t *tuneXML) tune() *presence.Tune {
	n, err := strconv.Atoi(strings.TrimSpace(t.Length))
	if err != nil || n < 0 || n > 1<<31-1 {
		n = 0
	}
	return &presence.Tune{Artist: t.Artist, Title: t.Title, Source: t.Source, Track: t.Track, URI: t.URI, Length: n}
}

func (m *moodXML) mood() *presence.Mood {
	out := presence.Mood{Text: m.Text}
	for _, v := range m.Value {
		if v.XMLName.Space == nsMood && v.XMLName.Local != "text" {
			out.Value = v.XMLName.Local
			break
		}
	}
	return &out
}

func (a *activityXML) activity() *presence.Activity {
	out := presence.Activity{Text: a.Text}
	for _, g := range a.General {
		if g.XMLName.Space != nsActivity || g.XMLName.Local == "text" {
			continue
		}
		out.General = g.XMLName.Local
		for _, s := range g.Specific {
			if s.XMLName.Space == nsActivity {
				out.Specific = s.XMLName.Local
				break
			}
		}
		break
	}
	return &out
}

// pick chooses the info to fetch; nil when there is none: an empty
// metadata item (the user disabled the picture), pictures that are too
// large or only elsewhere.
func (m *avatarMetaXML) pick() *avatarInfo {
	var best *avatarInfo
	for i := range m.Info {
		in := &m.Info[i]
		n, err := strconv.Atoi(strings.TrimSpace(in.Bytes))
		if in.URL != "" || in.ID == "" || err != nil || n <= 0 || n > avatar.MaxBytes {
			continue
		}
		if best == nil || in.Type == "image/png" && best.Type != "image/png" {
			best = in
		}
	}
	return best
}

// itemsGet asks for the last item of node (XEP-0060 6.5.7).
func itemsGet(node string) string {
	return "<pubsub xmlns='" + nsPubSub + "'><items" + attr("node", node) + " max_items='1'/></pubsub>"
}

// avatarDataGet asks for the data of picture id (XEP-0084 4.2).
func avatarDataGet(id string) string {
	return "<pubsub xmlns='" + nsPubSub + "'><items node='" + nsAvatarData + "'><item" + attr("id", id) + "/></items></pubsub>"
}
