package xmpp

import (
	"crypto/sha1" //nolint:gosec // XEP-0084 names pictures by SHA-1
	"encoding/base64"
	"encoding/hex"
	"strconv"
	"strings"
	"time"

	"badges/avatar"
	"badges/presence"
)

// Rich presence (docs/API.md#rich-presence, docs/design/watcher.md): the
// watcher keeps what each contact publishes of itself across sessions, in
// runState, and hands the Sink the whole Profile at each change.

// Bounds of what the watcher remembers of capabilities, whatever contacts
// announce: verification strings are few in practice (one per client
// version), so a cache that starts over when full costs a few queries.
const (
	maxCaps    = 1024
	maxCapsBad = 1024
)

// maxLastSeconds bounds an XEP-0012 answer: ten years.
const maxLastSeconds = 10 * 365 * 24 * 3600

// Avatars receives the pictures the watcher fetched, each under an owner
// (a contact and a source) and the id avatar.Normalize gave it.
type Avatars interface {
	Set(owner, id string, png []byte)
	Remove(owner string)
	// Share hands a decoded picture to the other replicas, if any; it may
	// wait for I/O, and is called from the picture worker
	// (pictures.go), off the session's goroutine.
	Share(id string, png []byte)
}

// contactRich is what the watcher keeps of one contact's rich presence.
type contactRich struct {
	profile presence.Profile
	// avatarTried is the XEP-0084 id last fetched or being fetched: one
	// that failed or was too large is not asked again until it changes.
	avatarTried string
	// pepPicture: the contact's PEP metadata announces a picture, usable
	// or not. Then it is the current one, and a vCard photo, which may be
	// an old copy, is not shown in its stead.
	pepPicture bool
	// vcardFor is the XEP-0153 photo hash the last vCard fetched was
	// current for; nil before the first fetch.
	vcardFor   *string
	vcardAsked bool
	// vcardNext is the hash of a change announced while a fetch was
	// under way: the vCard is fetched again once it ends.
	vcardNext *string
}

// richState is the part of runState that rich presence keeps.
type richState struct {
	contacts map[string]*contactRich
	caps     map[string]string // verified capabilities (capsXML.key) -> client type
	// capsBad holds the resources whose answer did not verify, by full JID
	// and capsXML.key: they are not asked again, but another resource
	// that announces the same string is.
	capsBad map[string]struct{}
	// lastAsked: XEP-0012 was asked of the contacts offline at the first
	// sync of the Run.
	lastAsked bool
}

func newRichState() richState {
	return richState{contacts: make(map[string]*contactRich), caps: make(map[string]string), capsBad: make(map[string]struct{})}
}

// resKey names one resource of a contact.
type resKey struct{ jid, res string }

func (s *session) contact(jid string) *contactRich {
	c := s.across.rich.contacts[jid]
	if c == nil {
		c = &contactRich{}
		s.across.rich.contacts[jid] = c
	}
	return c
}

// forgetRich drops what is kept of a contact who left.
func (s *session) forgetRich(jid string) {
	delete(s.across.rich.contacts, jid)
	if s.cfg.Avatars != nil {
		s.cfg.Avatars.Remove(jid + " pep")
		s.cfg.Avatars.Remove(jid + " vcard")
	}
}

func (s *session) setProfile(jid string, c *contactRich) {
	if !s.roster[jid].subscribed() {
		return
	}
	p := c.profile
	if c.pepPicture {
		p.VCardAvatar = ""
	}
	s.sink.SetProfile(jid, p)
}

// resource builds the presence of one resource from its stanza: the client
// type where its capabilities are verified already, the idle time (XEP-0319).
func (s *session) resource(st *stanza) presence.Resource {
	r := presence.Resource{Status: status(st.Show), Message: text(st.Status), Priority: priority(st.Priority)}
	if st.Caps != nil {
		r.Device = s.across.rich.caps[st.Caps.key()]
	}
	if st.Idle != nil {
		r.IdleSince = st.Idle.since(time.Now())
	}
	return r
}

// idleXML is XEP-0319's <idle since/>.
type idleXML struct {
	Since string `xml:"since,attr"`
}

// since parses the idle time; zero when it does not parse, and now when it
// lies in the future.
func (i *idleXML) since(now time.Time) time.Time {
	t, err := time.Parse(time.RFC3339, strings.TrimSpace(i.Since))
	if err != nil || t.Year() < 1970 {
		return time.Time{}
	}
	if t.After(now) {
		return now
	}
	return t
}

// richPresence follows up an available presence of a contact resource:
// capabilities not seen yet are asked, a vCard photo that changed is
// fetched.
func (s *session) richPresence(jid, res string, st *stanza) error {
	s.online[jid] = true
	if err := s.noteCaps(jid, res, st.Caps); err != nil {
		return err
	}
	if u := st.VCardUpdate; u != nil && u.Photo != nil {
		hash := strings.TrimSpace(*u.Photo)
		if c := s.contact(jid); c.vcardFor == nil || *c.vcardFor != hash {
			return s.fetchVCard(jid, hash)
		}
	}
	return nil
}

// noteCaps asks a resource's capabilities once per verification string:
// the answer, if it verifies, gives every resource waiting on it its type.
func (s *session) noteCaps(jid, res string, c *capsXML) error {
	if c == nil || res == "" || capsHash(c.Hash) == nil || strings.TrimSpace(c.Ver) == "" {
		return nil
	}
	key := c.key()
	if _, ok := s.across.rich.caps[key]; ok {
		return nil
	}
	full := jid + "/" + res
	if _, bad := s.across.rich.capsBad[full+" "+key]; bad {
		return nil
	}
	if w, asked := s.capsWait[key]; asked {
		s.capsWait[key] = append(w, resKey{jid, res})
		return nil
	}
	s.capsWait[key] = []resKey{{jid, res}}
	hashName, ver := strings.TrimSpace(c.Hash), strings.TrimSpace(c.Ver)
	q := "<query xmlns='" + nsDiscoInfo + "'" + attr("node", strings.TrimSpace(c.Node)+"#"+ver) + "/>"
	return s.ask(full, q, func(st *stanza) error {
		waiting := s.capsWait[key]
		delete(s.capsWait, key)
		if st == nil {
			return nil // timed out: asked again at the next presence
		}
		device, ok := "", false
		if st.Type == "result" && st.Disco != nil {
			device, ok = verifyCaps(*st.Disco, hashName, ver)
		}
		if !ok {
			s.log.Info("xmpp: capabilities not verified, not believed", "from", st.From, "ver", ver)
			s.markCapsBad(full + " " + key)
			// The others that announced the same string may tell the
			// truth: the next one is asked.
			for _, w := range waiting[1:] {
				if err := s.noteCaps(w.jid, w.res, c); err != nil {
					return err
				}
			}
			return nil
		}
		if len(s.across.rich.caps) >= maxCaps {
			clear(s.across.rich.caps)
		}
		s.across.rich.caps[key] = device
		for _, w := range waiting {
			s.sink.SetDevice(w.jid, w.res, device)
		}
		return nil
	})
}

func (s *session) markCapsBad(key string) {
	if len(s.across.rich.capsBad) >= maxCapsBad {
		clear(s.across.rich.capsBad)
	}
	s.across.rich.capsBad[key] = struct{}{}
}

// pepEvent applies a PEP notification from a contact (XEP-0163).
func (s *session) pepEvent(jid string, ev *pubsubEvent) error {
	if !s.roster[jid].subscribed() {
		return nil
	}
	for _, u := range ev.updates() {
		if err := s.applyPEP(jid, u); err != nil {
			return err
		}
	}
	return nil
}

// applyPEP applies one node's update and fetches a picture it announces.
func (s *session) applyPEP(jid string, u pepUpdate) error {
	c := s.contact(jid)
	fetch := u.apply(&c.profile)
	if u.node == nsAvatarMeta {
		c.pepPicture = u.item != nil && u.item.AvatarMeta != nil && len(u.item.AvatarMeta.Info) > 0
		if fetch == nil {
			c.avatarTried = ""
			if s.cfg.Avatars != nil {
				s.cfg.Avatars.Remove(jid + " pep")
			}
		} else if fetch.ID != c.avatarTried && s.cfg.Avatars != nil {
			c.avatarTried = fetch.ID
			if err := s.fetchAvatar(jid, fetch.ID); err != nil {
				return err
			}
		}
	}
	s.setProfile(jid, c)
	return nil
}

// fetchAvatar asks the contact's PEP service for the data of picture id
// (XEP-0084 4.2), never any URL.
func (s *session) fetchAvatar(jid, id string) error {
	return s.ask(jid, avatarDataGet(id), func(st *stanza) error {
		c := s.across.rich.contacts[jid]
		if c == nil {
			return nil // the contact left meanwhile
		}
		if st == nil {
			if c.avatarTried == id {
				c.avatarTried = "" // timed out: may be asked again
			}
			return nil
		}
		if c.avatarTried != id {
			return nil // another picture since
		}
		// The contact's current picture is this one: if it is not usable,
		// none from PEP is shown, not the one before.
		return s.decodePicture(picture{owner: jid + " pep", data: avatarData(st, id),
			done: func(png []byte, pid string, err error) error {
				c := s.across.rich.contacts[jid]
				if c == nil || c.avatarTried != id {
					return nil // the contact left, or another picture since
				}
				if err != nil {
					s.log.Info("xmpp: picture not usable", "jid", jid, "id", id, "err", err)
				}
				s.showPicture(jid, jid+" pep", c, &c.profile.PEPAvatar, png, pid, err)
				return nil
			},
			abandon: func() {
				if c := s.across.rich.contacts[jid]; c != nil && c.avatarTried == id {
					c.avatarTried = ""
				}
			}})
	})
}

// showPicture makes the outcome of decoding a picture of owner (a contact
// and a source) what contact jid shows in slot, its profile's picture of
// that source: the picture, or none when it is not usable.
func (s *session) showPicture(jid, owner string, c *contactRich, slot *string, png []byte, id string, err error) {
	if err != nil {
		s.cfg.Avatars.Remove(owner)
		*slot = ""
	} else {
		s.cfg.Avatars.Set(owner, id, png)
		*slot = id
	}
	s.setProfile(jid, c)
}

// avatarData returns the data of picture id from an items result, nil if
// it is missing, too large, or not what its id (its SHA-1) says.
func avatarData(st *stanza, id string) []byte {
	if st.Type != "result" || st.PubSub == nil || st.PubSub.Items == nil {
		return nil
	}
	for _, it := range st.PubSub.Items.Items {
		if it.ID != id || it.AvatarData == nil {
			continue
		}
		data := decodeBase64(*it.AvatarData, avatar.MaxBytes)
		if data == nil {
			return nil
		}
		sum := sha1.Sum(data) //nolint:gosec // see the import
		if !strings.EqualFold(hex.EncodeToString(sum[:]), strings.TrimSpace(id)) {
			return nil
		}
		return data
	}
	return nil
}

// decodeBase64 decodes base64 with line breaks, nil if it is invalid or
// decodes to more than limit bytes (checked before decoding).
func decodeBase64(s string, limit int) []byte {
	s = strings.Map(func(r rune) rune {
		if r == ' ' || r == '\t' || r == '\n' || r == '\r' {
			return -1
		}
		return r
	}, s)
	if s == "" || base64.StdEncoding.DecodedLen(len(s)) > limit+2 {
		return nil
	}
	data, err := base64.StdEncoding.DecodeString(s)
	if err != nil || len(data) > limit {
		return nil
	}
	return data
}

// fetchVCard asks a contact's vCard (XEP-0054) for its names and photo;
// hash is the photo hash its presence announced ("" for none or unknown).
func (s *session) fetchVCard(jid, hash string) error {
	c := s.contact(jid)
	if c.vcardAsked {
		c.vcardNext = &hash
		return nil
	}
	c.vcardAsked = true
	return s.ask(jid, vcardGet, func(st *stanza) error {
		c := s.across.rich.contacts[jid]
		if c == nil {
			return nil // the contact left meanwhile
		}
		c.vcardAsked = false
		if st != nil {
			if err := s.applyVCard(jid, c, st, hash); err != nil {
				return err
			}
		}
		if next := c.vcardNext; next != nil {
			c.vcardNext = nil
			return s.fetchVCard(jid, *next)
		}
		return nil // a fetch that timed out is asked again at the next change
	})
}

// applyVCard takes a vCard answer, current for the photo hash.
func (s *session) applyVCard(jid string, c *contactRich, st *stanza, hash string) error {
	c.vcardFor = &hash
	var v vcardXML
	if st.Type == "result" && st.VCard != nil {
		v = *st.VCard
	}
	c.profile.VCardNick, c.profile.VCardFN = v.Nickname, v.FN
	photo := v.photo(avatar.MaxBytes)
	if s.cfg.Avatars == nil || photo == nil {
		c.profile.VCardAvatar = ""
		if s.cfg.Avatars != nil {
			s.cfg.Avatars.Remove(jid + " vcard")
		}
		s.setProfile(jid, c)
		return nil
	}
	// The names show now; the photo replaces the one before once decoded.
	s.setProfile(jid, c)
	current := c.vcardFor
	return s.decodePicture(picture{owner: jid + " vcard", data: photo,
		done: func(png []byte, pid string, err error) error {
			c := s.across.rich.contacts[jid]
			if c == nil || c.vcardFor != current {
				return nil // the contact left, or a later vCard came
			}
			s.showPicture(jid, jid+" vcard", c, &c.profile.VCardAvatar, png, pid, err)
			return nil
		},
		abandon: func() {
			if c := s.across.rich.contacts[jid]; c != nil && c.vcardFor == current {
				c.vcardFor = nil
			}
		}})
}

// newContact catches up on a contact whose subscription just completed:
// the watcher's presence again, since some servers honour +notify only from
// a presence sent after the subscription, and the last item of each node
// and the vCard, since some never push what was published before.
func (s *session) newContact(jid string) error {
	if err := s.send(ownPresence()); err != nil {
		return err
	}
	for _, node := range pepNodes {
		if err := s.ask(jid, itemsGet(node), func(st *stanza) error {
			if st == nil || st.Type != "result" || st.PubSub == nil || !s.roster[jid].subscribed() {
				return nil
			}
			for _, u := range st.PubSub.Items.updates() {
				if err := s.applyPEP(jid, u); err != nil {
					return err
				}
			}
			return nil
		}); err != nil {
			return err
		}
	}
	return s.fetchVCard(jid, "")
}

// syncRich runs at the end of each sync: vCards of contacts not fetched yet
// in this Run, and, once per Run, XEP-0012 last activity of the contacts
// that are offline, so that last_seen is known from the first minute.
func (s *session) syncRich() error {
	for jid, e := range s.roster {
		if !e.subscribed() {
			continue
		}
		if c := s.contact(jid); c.vcardFor == nil {
			if err := s.fetchVCard(jid, ""); err != nil {
				return err
			}
		}
	}
	if s.across.rich.lastAsked {
		return nil
	}
	s.across.rich.lastAsked = true
	for jid, e := range s.roster {
		if !e.subscribed() || s.online[jid] {
			continue
		}
		if err := s.ask(jid, "<query xmlns='"+nsLast+"'/>", func(st *stanza) error {
			if st == nil || st.Type != "result" || st.Last == nil {
				return nil
			}
			n, err := strconv.Atoi(strings.TrimSpace(st.Last.Seconds))
			if err != nil || n < 0 || n > maxLastSeconds {
				return nil
			}
			s.sink.SetLastActivity(jid, time.Now().Add(-time.Duration(n)*time.Second))
			return nil
		}); err != nil {
			return err
		}
	}
	return nil
}

// nsLast is XEP-0012 Last Activity.
const nsLast = "jabber:iq:last"

// lastXML is XEP-0012's answer: seconds since the account was last online.
type lastXML struct {
	Seconds string `xml:"seconds,attr"`
}
