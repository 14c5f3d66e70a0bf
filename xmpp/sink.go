package xmpp

import (
	"time"

	"badges/presence"
)

// Sink receives what the watcher learns. *presence.Directory implements it;
// the watcher calls it from one goroutine at a time.
type Sink interface {
	// Connected and Disconnected bracket each logged-in session.
	Connected()
	Disconnected()
	// BeginSync and EndSync bracket the roster and presence flood that
	// follows each login: resources not announced in between are dropped,
	// those of contacts on other domains than the watcher's only after a
	// grace, since their presence comes over s2s, after the sync.
	BeginSync()
	EndSync(domain string)
	// SyncRoster replaces the roster with the contacts the watcher holds a
	// subscription to.
	SyncRoster(items map[string]presence.RosterItem) error
	// SetRosterItem and RemoveRosterItem apply one roster push.
	SetRosterItem(jid string, it presence.RosterItem) error
	RemoveRosterItem(jid string) error
	// SetResource and RemoveResource follow one resource of a contact;
	// RemoveResources ends all of them.
	SetResource(jid, resource string, r presence.Resource)
	RemoveResource(jid, resource string)
	RemoveResources(jid string)
	// SetRoom publishes the occupant count of a room.
	SetRoom(room string, occupants int)
	// SetChoice records a user's choices; Record reads them back.
	SetChoice(jid string, optOut bool, hidden presence.FieldSet) error
	Record(jid string) (presence.Record, bool)
	// Share is what the operator serves at all of what users publish.
	Share() presence.FieldSet
	// SetProfile records what a contact publishes of itself (PEP items,
	// vCard), the whole of it each time.
	SetProfile(jid string, p presence.Profile)
	// SetDevice records the client type of one resource once its
	// capabilities are verified.
	SetDevice(jid, resource, device string)
	// SetLastActivity records when a contact with no resource online was
	// last active (XEP-0012).
	SetLastActivity(jid string, at time.Time)
	// Forget makes a JID invisible and deletes what is stored of it.
	Forget(jid string) error
}
