package presence

import (
	"fmt"
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
	views    uint64 // numbers the held views (heldView.seq)
	// dirty are the JIDs whose records wait for the next commit, in the
	// order they changed; spare is the batch buffer it swaps with.
	// committer says the committer runs (directory_commit.go).
	dirty     []*jidState
	spare     []*jidState
	committer bool
	commit    commitBuffers
	// saving counts the goroutines saving records (the committer, and
	// commits to a shared store); Close waits for them.
	saving sync.WaitGroup
	// shared is the store when several replicas share it (shared.go).
	// Each replica then mirrors the records, the XMPP source included,
	// through Apply, and commits each write itself (commitSharedLocked),
	// without the committer; leading says this one holds the watcher's
	// lease, and ownXMPP that its watcher began a sync, so that from then
	// on the XMPP source is what its resources say (takeXMPPLocked).
	shared  SharedStore
	leading bool
	ownXMPP bool
	// members indexes, with a shared store, the roster groups of the
	// records adopted (adoptLocked): group -> JIDs.
	members map[string]map[string]struct{}
	// adoptions counts the values adopted from a shared store, and the
	// JIDs forgotten during a reload; each jidState's adopted says when it
	// was last adopted, and gone, from BeginReload to Reload, when each JID
	// forgotten meanwhile went (Reload).
	adoptions uint64
	gone      map[string]uint64
	// commitDone wakes writers waiting for a JID's commit to the shared
	// store to return (commitSharedLocked).
	commitDone *sync.Cond
}

type jidState struct {
	// rec is the JID's record with every change made so far, version ver;
	// saved is the record as the store holds it, version savedVer. ver
	// runs ahead of savedVer while changes are being saved
	// (directory_commit.go).
	rec      Record
	saved    Record
	ver      uint64
	savedVer uint64
	// base is rec as a shared store holds it, at rec's version: what a
	// write changed is the difference (rebase). Unused without one.
	base      Record
	resources map[string]Resource
	xmppAt    time.Time // when the XMPP source last changed
	// cur and since are the presence computed last and when its status
	// began; shown (nil until the first) and shownSince what the hub was
	// given last. They differ while cur waits for its record to be saved:
	// held keeps the views computed since, the last one of each record
	// version, oldest first.
	since      time.Time
	cur        Presence
	shown      *Entry
	profile    Profile // what the contact publishes over XMPP (PEP, vCard)
	shownSince time.Time
	held       []heldView
	// queued: rec is queued for the next commit or in the one under
	// way; waiters are the acknowledged writes waiting for it.
	queued  bool
	waiters []waiter
	// onlineAtLoss is set while the JID shows unknown because the watcher
	// lost its connection while the JID was online over XMPP; it holds the
	// time of that loss, which becomes last_seen if the JID turns out to
	// be offline once the watcher is back.
	onlineAtLoss time.Time
	// With a shared store: committing says a commit of rec is in flight
	// (d.mu released), and writers counts the writes that changed rec and
	// have not returned, that one included.
	committing bool
	writers    int
	adopted    uint64
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
		members:   make(map[string]map[string]struct{}),
	}
	if d.share == 0 {
		d.share = DefaultShare
	}
	if !opt.ShowMessages {
		d.share = d.share.Without(FieldMessage)
	}
	d.commitDone = sync.NewCond(&d.mu)
	if d.now == nil {
		d.now = time.Now
	}
	if d.syncGrace <= 0 {
		d.syncGrace = DefaultSyncGrace
	}
	if sh, ok := store.(SharedStore); ok {
		// The replica loads what the store holds with Reload, and the
		// stale clock runs only on the replica holding the watcher (Lead).
		d.shared = sh
		return d, nil
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
		st.saved = st.rec // restores to the same state from the same record
		d.refreshLocked(st, false)
	}
	d.armStaleLocked()
	return d, nil
}

// Close stops the directory's timers and waits for the saves under way;
// none is armed or started afterwards, and a timer that fired meanwhile does
// nothing, so nothing is published or saved behind the caller's back (the
// store may be closed next). Writes after Close fail.
func (d *Directory) Close() {
	d.mu.Lock()
	d.closed = true
	d.stopStaleLocked()
	d.stopGraceLocked()
	if d.expiry.timer != nil {
		d.expiry.timer.Stop()
		d.expiry.timer = nil
	}
	d.mu.Unlock()
	d.saving.Wait()
}

func (d *Directory) state(jid string) *jidState {
	st := d.jids[jid]
	if st == nil {
		// Nothing stored yet: what a write changes, and what a failed one
		// goes back to, is the empty record of jid.
		empty := Record{JID: jid}
		st = &jidState{rec: empty, saved: empty, base: empty}
		d.jids[jid] = st
	}
	return st
}

// visible applies docs/API.md#presence-model: subscribed and not opted out,
// or pushed by an authorised client over HTTP.
func (st *jidState) visible() bool { return recordVisible(st.rec) }

// listed: visible by the record both as changed and as saved, so that lists
// neither name a JID before its opt-in is saved nor after its opt-out began.
func (st *jidState) listed() bool { return recordVisible(st.rec) && recordVisible(st.saved) }

func recordVisible(r Record) bool {
	return (r.Subscribed && !r.OptedOut) || r.HTTP != nil
}

// compute derives the aggregated presence of st.
func (d *Directory) compute(st *jidState) Presence {
	if !st.visible() {
		return UnknownPresence(st.rec.JID)
	}
	sources := d.sourcesLocked(st)
	m := Merge(sources.all())
	p := Presence{JID: st.rec.JID, Status: m.Status, LastSeen: st.rec.LastSeen,
		Sources: make(map[Source]Status, sources.n)}
	shown := d.shownLocked(st)
	if shown.Has(FieldMessage) {
		p.Message = m.Message
	}
	p.Details = d.detailsLocked(st).Only(shown)
	for k, v := range sources.all() {
		p.Sources[k] = v.Status
	}
	return p
}

// sourcesLocked says what each source says of a visible st, with its message.
func (d *Directory) sourcesLocked(st *jidState) sourceStates {
	var sources sourceStates
	if st.rec.Subscribed && !st.rec.OptedOut {
		sources.add(SourceXMPP, d.xmppLocked(st))
	}
	if h := st.rec.HTTP; h != nil {
		sources.add(SourceHTTP, SourceState{Status: h.Status, Message: h.Message, Changed: h.Changed})
	}
	return sources
}

// xmppLocked says what the XMPP source says of st. With a shared store it
// is what the record says, which the replica holding the watcher keeps
// (takeXMPPLocked): every replica aggregates the same way.
func (d *Directory) xmppLocked(st *jidState) SourceState {
	if d.shared != nil {
		if st.rec.XMPP != nil {
			return *st.rec.XMPP
		}
		return SourceState{Status: Offline}
	}
	return d.watchedLocked(st)
}

// watchedLocked says what this replica's watcher says of st: its best
// resource, or unknown while stale.
func (d *Directory) watchedLocked(st *jidState) SourceState {
	if d.stale {
		return SourceState{Status: Unknown, Changed: st.xmppAt}
	}
	if best, ok := Best(st.resources); ok {
		return SourceState{Status: best.Status, Message: best.Message, Changed: st.xmppAt}
	}
	return SourceState{Status: Offline, Changed: st.xmppAt}
}

// Sources returns what each source says of jid, for APIs that show sources
// side by side (kopano's): nil for an invisible JID, exactly as for one that
// does not exist, and messages left out as Get leaves them out.
func (d *Directory) Sources(jid string) map[Source]SourceState {
	d.mu.Lock()
	defer d.mu.Unlock()
	st := d.jids[jid]
	if st == nil {
		return nil
	}
	if st.ver != st.savedVer || st.writers > 0 { // say only what is saved
		saved := *st
		saved.rec = st.saved
		st = &saved
	}
	if !st.visible() {
		return nil
	}
	withMessage := d.shownLocked(st).Has(FieldMessage)
	sources := d.sourcesLocked(st)
	out := make(map[Source]SourceState, sources.n)
	for k, v := range sources.all() {
		if !withMessage {
			v.Message = ""
		}
		out[k] = v
	}
	return out
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

// showLocked makes p what st shows: the hub gets it at once if st's record
// is saved, or else once it is (directory_commit.go).
func (d *Directory) showLocked(st *jidState, p Presence, since time.Time) {
	st.cur, st.since = p, since
	if p.Status != Unknown {
		st.onlineAtLoss = time.Time{}
	}
	if v := st.ver; v != st.savedVer {
		d.views++
		h := heldView{v: v, p: p, since: since, seq: d.views}
		if n := len(st.held); n > 0 && st.held[n-1].v == v {
			st.held[n-1] = h
		} else {
			st.held = append(st.held, h)
		}
		return
	}
	st.held = nil
	d.publishViewLocked(st, p, since, nil)
}

// publishViewLocked gives the hub p, which began at since, as what st
// shows: e, if p was encoded already, or else a new entry.
func (d *Directory) publishViewLocked(st *jidState, p Presence, since time.Time, e *Entry) {
	if e == nil {
		e = NewPresenceEntry(p)
	}
	st.shown, st.shownSince = e, since
	d.updates++
	d.hub.Publish(st.shown)
}

// refreshLocked recomputes st and shows it. The record is saved when
// changed is set or last_seen moved: in the background, without waiting,
// since XMPP input and the ttl timer have no one to answer to; what they
// change is shown once it is saved. A failed save is rolled back
// (failLocked).
func (d *Directory) refreshLocked(st *jidState, changed bool) {
	if d.shared != nil {
		_ = d.commitSharedLocked(st, sharedWrite{}) // best effort, as below
		return
	}
	p, since, wentOffline := d.viewLocked(st)
	if wentOffline {
		st.rec.LastSeen = p.LastSeen
		changed = true
	}
	if changed {
		d.changedLocked(st)
	}
	d.showLocked(st, p, since)
}

// entryLocked returns what jid shows: the entry the hub was given last, or
// the hub's default.
func (d *Directory) entryLocked(jid string) *Entry {
	if st := d.jids[jid]; st != nil && st.shown != nil {
		return st.shown
	}
	return DefaultEntry(JIDTopic(jid))
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
	if d.shared != nil {
		r = st.base // what the store holds, not a change in flight
	}
	if r.empty() {
		return Record{}, false
	}
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
	// Synced: the watcher completed a sync and is still connected, so
	// the XMPP statuses shown are live.
	Synced bool
}

// Stats returns the current counters.
func (d *Directory) Stats() Stats {
	d.mu.Lock()
	defer d.mu.Unlock()
	n := 0
	for _, st := range d.jids {
		if st.listed() {
			n++
		}
	}
	return Stats{Visible: n, Updates: d.updates, Connected: d.connected, Stale: d.stale, Synced: d.fresh}
}

// Group returns the bare JIDs of a roster group of the watcher, sorted.
// Only visible JIDs are listed: a dashboard must not name a user who opted
// out.
func (d *Directory) Group(name string) []string {
	d.mu.Lock()
	defer d.mu.Unlock()
	var out []string
	if d.shared != nil {
		// Every replica knows the groups from the records; the watcher's
		// own map would only be known where it runs.
		for jid := range d.members[name] {
			if st := d.jids[jid]; st != nil && st.listed() {
				out = append(out, jid)
			}
		}
		sort.Strings(out)
		return out
	}
	for _, jid := range d.groups[name] {
		if st := d.jids[jid]; st != nil && st.listed() {
			out = append(out, jid)
		}
	}
	sort.Strings(out)
	return out
}
