package presence

import (
	"fmt"
	"maps"
	"sort"
	"sync"
	"time"
)

// Directory holds what every source says about every JID, applies the
// visibility and aggregation rules of docs/API.md#presence-model, persists what must
// survive a restart, and publishes each JID's aggregated presence to the hub.
// All methods are safe for concurrent use.
type Directory struct {
	hub        Hub
	store      Store
	now        func() time.Time
	staleAfter time.Duration
	syncGrace  time.Duration
	// share is what the operator serves at all (-share, -show-messages).
	share FieldSet

	mu        sync.Mutex
	jids      map[string]*jidState
	groups    map[string][]string // roster group -> bare JIDs
	rooms     map[string]int      // room -> occupants, as the watcher last counted
	connected bool
	// fresh: a sync completed since the last disconnect, so the XMPP
	// statuses are live. Only then does a disconnect start the stale clock.
	fresh bool
	// lostAt is when the watcher last lost a synced connection: the last
	// moment the XMPP statuses shown were known to be true.
	lostAt time.Time
	stale  bool
	staleT *time.Timer
	// staleGen tells the current stale timer from one that was stopped
	// too late: its function may already be waiting for mu.
	staleGen uint64
	closed   bool
	// unsynced holds, while an XMPP sync is under way, the resources of
	// each JID known before it and not announced again since; nil otherwise.
	unsynced map[string]map[string]struct{}
	// graceT drops, SyncGrace after EndSync, what is left in unsynced;
	// graceGen tells it from a timer stopped too late, as staleGen does.
	graceT   *time.Timer
	graceGen uint64
	expiry   httpTimer
	updates  uint64
}

type jidState struct {
	rec       Record
	resources map[string]Resource
	xmppAt    time.Time // when the XMPP source last changed
	since     time.Time
	cur       Presence
	profile   Profile // what the contact publishes over XMPP (PEP, vCard)
	// onlineAtLoss is set while the JID shows unknown because the watcher
	// lost its connection while the JID was online over XMPP; it holds the
	// time of that loss, which becomes last_seen if the JID turns out to
	// be offline once the watcher is back.
	onlineAtLoss time.Time
}

// DirectoryOptions configure a Directory.
type DirectoryOptions struct {
	// StaleAfter is how long the watcher may be disconnected before
	// XMPP-derived statuses turn unknown. Zero disables staleness.
	StaleAfter time.Duration
	// ShowMessages: whether status texts are served at all; false takes
	// the message out of Share.
	ShowMessages bool
	// Share is what is served at all of what users publish; zero means
	// DefaultShare, NoFields nothing.
	Share FieldSet
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// SyncGrace is how long after EndSync resources not announced again
	// are kept; zero means DefaultSyncGrace.
	SyncGrace time.Duration
}

// DefaultSyncGrace bounds the wait for presence that follows the end of a
// sync: a contact on another server is probed over s2s, and its server may
// first have to connect and authenticate (dialback or TLS) before it
// answers, which takes seconds, not minutes. Until then, a contact keeps
// the resources it had, instead of flapping to offline on every reconnect.
const DefaultSyncGrace = 10 * time.Second

// NewDirectory loads the stored records and publishes every visible JID.
// The XMPP source starts disconnected (and, after StaleAfter, stale).
func NewDirectory(hub Hub, store Store, opt DirectoryOptions) (*Directory, error) {
	d := &Directory{
		hub: hub, store: store, now: opt.Now, staleAfter: opt.StaleAfter,
		syncGrace: opt.SyncGrace,
		share:     opt.Share,
		jids:      make(map[string]*jidState),
		groups:    make(map[string][]string),
		rooms:     make(map[string]int),
	}
	if d.share == 0 {
		d.share = DefaultShare
	}
	if !opt.ShowMessages {
		d.share = d.share.Without(FieldMessage)
	}
	if d.now == nil {
		d.now = time.Now
	}
	if d.syncGrace <= 0 {
		d.syncGrace = DefaultSyncGrace
	}
	recs, err := store.Records()
	if err != nil {
		return nil, fmt.Errorf("presence: load records: %w", err)
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	for _, r := range recs {
		st := &jidState{rec: r}
		d.jids[r.JID] = st
		d.restoreHTTPLocked(st)
		d.publishLocked(st, false)
	}
	d.armStaleLocked()
	return d, nil
}

// Close stops the directory's timers; none is armed afterwards, and one
// that fired meanwhile does nothing, so nothing is published or saved
// behind the caller's back (the store may be closed next).
func (d *Directory) Close() {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.closed = true
	d.stopStaleLocked()
	d.stopGraceLocked()
	if d.expiry.timer != nil {
		d.expiry.timer.Stop()
		d.expiry.timer = nil
	}
}

func (d *Directory) state(jid string) *jidState {
	st := d.jids[jid]
	if st == nil {
		st = &jidState{rec: Record{JID: jid}}
		d.jids[jid] = st
	}
	return st
}

// visible applies docs/API.md#presence-model: subscribed and not opted out, or pushed by
// an authorised client over HTTP.
func (st *jidState) visible() bool {
	return (st.rec.Subscribed && !st.rec.OptedOut) || st.rec.HTTP != nil
}

// compute derives the aggregated presence of st.
func (d *Directory) compute(st *jidState) Presence {
	if !st.visible() {
		return UnknownPresence(st.rec.JID)
	}
	sources := d.sourcesLocked(st)
	m := Merge(sources)
	p := Presence{JID: st.rec.JID, Status: m.Status, LastSeen: st.rec.LastSeen,
		Sources: make(map[Source]Status, len(sources))}
	shown := d.shownLocked(st)
	if shown.Has(FieldMessage) {
		p.Message = m.Message
	}
	p.Details = d.detailsLocked(st).Only(shown)
	for k, v := range sources {
		p.Sources[k] = v.Status
	}
	return p
}

// sourcesLocked says what each source says of a visible st, with its message.
func (d *Directory) sourcesLocked(st *jidState) map[Source]SourceState {
	sources := make(map[Source]SourceState, 2)
	if st.rec.Subscribed && !st.rec.OptedOut {
		x := SourceState{Status: Offline, Changed: st.xmppAt}
		if best, ok := Best(st.resources); ok {
			x = SourceState{Status: best.Status, Message: best.Message, Changed: st.xmppAt}
		}
		if d.stale {
			x = SourceState{Status: Unknown, Changed: st.xmppAt}
		}
		sources[SourceXMPP] = x
	}
	if h := st.rec.HTTP; h != nil {
		sources[SourceHTTP] = SourceState{Status: h.Status, Message: h.Message, Changed: h.Changed}
	}
	return sources
}

// Sources returns what each source says of jid, for APIs that show sources
// side by side (kopano's): nil for an invisible JID, exactly as for one that
// does not exist, and messages left out as Get leaves them out.
func (d *Directory) Sources(jid string) map[Source]SourceState {
	d.mu.Lock()
	defer d.mu.Unlock()
	st := d.jids[jid]
	if st == nil || !st.visible() {
		return nil
	}
	sources := d.sourcesLocked(st)
	if !d.shownLocked(st).Has(FieldMessage) {
		for k, v := range sources {
			v.Message = ""
			sources[k] = v
		}
	}
	return sources
}

// viewLocked computes what st shows now, changing nothing: the presence,
// when its status began, and whether the JID just went offline (then
// p.LastSeen is now, and the record must keep it).
func (d *Directory) viewLocked(st *jidState) (p Presence, since time.Time, wentOffline bool) {
	p = d.compute(st)
	since = st.since
	if st.cur.Status == "" || st.cur.Status != p.Status {
		since = d.now()
		switch {
		case st.cur.Status.Online() && p.Status == Offline:
			p.LastSeen, wentOffline = since, true
		case st.cur.Status == Unknown && p.Status == Offline && !st.onlineAtLoss.IsZero():
			// Online, then stale, now offline: it went offline at some
			// point of the outage, and the loss is the last moment it was
			// known online.
			p.LastSeen, wentOffline = st.onlineAtLoss, true
		}
	}
	if p.Status != Unknown {
		p.Since = since
	}
	return p, since, wentOffline
}

// showLocked makes p what st shows and publishes it.
func (d *Directory) showLocked(st *jidState, p Presence, since time.Time) {
	st.cur, st.since = p, since
	if p.Status != Unknown {
		st.onlineAtLoss = time.Time{}
	}
	d.updates++
	d.hub.Publish(NewPresenceEntry(p))
}

// publishLocked recomputes st and publishes it. The record is saved when
// save is set or last_seen moved, best effort: XMPP input and the ttl
// timer have no one to answer an error to, and a record that failed to
// save is saved again with its next change.
func (d *Directory) publishLocked(st *jidState, save bool) {
	p, since, wentOffline := d.viewLocked(st)
	if wentOffline {
		st.rec.LastSeen = p.LastSeen
	}
	if save || wentOffline {
		_ = d.store.Save(st.rec)
	}
	d.showLocked(st, p, since)
}

// commitLocked saves the record of st, changed by the caller from prev,
// and only then publishes, so that nothing is shown or acknowledged that a
// restart would lose. On a failed save the record goes back to prev and
// nothing is published: the write did not happen.
func (d *Directory) commitLocked(st *jidState, prev Record) error {
	p, since, wentOffline := d.viewLocked(st)
	if wentOffline {
		st.rec.LastSeen = p.LastSeen
	}
	if err := d.store.Save(st.rec); err != nil {
		st.rec = prev
		if st.cur.Status == "" { // made for this write, never shown
			delete(d.jids, st.rec.JID)
		}
		return fmt.Errorf("presence: save %s: %w", st.rec.JID, err)
	}
	d.showLocked(st, p, since)
	return nil
}

// getLocked returns a copy of what jid shows: the source map is shared with
// the published entry, which must not change.
func (d *Directory) getLocked(jid string) Presence {
	if st := d.jids[jid]; st != nil && st.cur.Status != "" {
		p := st.cur
		p.Sources = maps.Clone(p.Sources)
		return p
	}
	return UnknownPresence(jid)
}

// Record returns a copy of what is stored for jid.
func (d *Directory) Record(jid string) (Record, bool) {
	d.mu.Lock()
	defer d.mu.Unlock()
	st := d.jids[jid]
	if st == nil {
		return Record{}, false
	}
	r := st.rec
	if r.HTTP != nil {
		h := *r.HTTP
		r.HTTP = &h
	}
	return r, true
}

// Stats reports counters for metrics.
type Stats struct {
	Visible   int
	Updates   uint64
	Connected bool
	Stale     bool
}

// Stats returns the current counters.
func (d *Directory) Stats() Stats {
	d.mu.Lock()
	defer d.mu.Unlock()
	n := 0
	for _, st := range d.jids {
		if st.visible() {
			n++
		}
	}
	return Stats{Visible: n, Updates: d.updates, Connected: d.connected, Stale: d.stale}
}

// Group returns the bare JIDs of a roster group of the watcher, sorted.
// Only visible JIDs are listed: a dashboard must not name a user who opted
// out.
func (d *Directory) Group(name string) []string {
	d.mu.Lock()
	defer d.mu.Unlock()
	var out []string
	for _, jid := range d.groups[name] {
		if st := d.jids[jid]; st != nil && st.visible() {
			out = append(out, jid)
		}
	}
	sort.Strings(out)
	return out
}
