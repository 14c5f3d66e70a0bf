package presence

import (
	"fmt"
	"sort"
	"sync"
	"time"
)

// Directory holds what every source says about every JID, applies the
// visibility and aggregation rules of SPEC section 2, persists what must
// survive a restart, and publishes each JID's aggregated presence to the hub.
// All methods are safe for concurrent use.
type Directory struct {
	hub          Hub
	store        Store
	now          func() time.Time
	staleAfter   time.Duration
	showMessages bool

	mu        sync.Mutex
	jids      map[string]*jidState
	rooms     map[string]int
	groups    map[string][]string // roster group -> bare JIDs
	connected bool
	stale     bool
	staleT    *time.Timer
	syncStart time.Time // non-zero while an XMPP sync is under way
	expiry    httpTimer
	updates   uint64
}

type jidState struct {
	rec       Record
	resources map[string]Resource
	xmppAt    time.Time // when the XMPP source last changed
	since     time.Time
	cur       Presence
}

// DirectoryOptions configure a Directory.
type DirectoryOptions struct {
	// StaleAfter is how long the watcher may be disconnected before
	// XMPP-derived statuses turn unknown. Zero disables staleness.
	StaleAfter time.Duration
	// ShowMessages: whether status texts are served at all.
	ShowMessages bool
	// Now is the clock; nil means time.Now.
	Now func() time.Time
}

// NewDirectory loads the stored records and publishes every visible JID.
// The XMPP source starts disconnected (and, after StaleAfter, stale).
func NewDirectory(hub Hub, store Store, opt DirectoryOptions) (*Directory, error) {
	d := &Directory{
		hub: hub, store: store, now: opt.Now, staleAfter: opt.StaleAfter,
		showMessages: opt.ShowMessages,
		jids:         make(map[string]*jidState), rooms: make(map[string]int),
		groups: make(map[string][]string),
	}
	if d.now == nil {
		d.now = time.Now
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
		d.publishLocked(st)
	}
	d.armStaleLocked()
	return d, nil
}

// Close stops the directory's timer.
func (d *Directory) Close() {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.staleT != nil {
		d.staleT.Stop()
	}
	if d.expiry.timer != nil {
		d.expiry.timer.Stop()
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

// visible applies SPEC section 2: subscribed and not opted out, or pushed by
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
	if d.showMessages && !st.rec.HideMessage {
		p.Message = m.Message
	}
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

// publishLocked recomputes st, keeps its since/last_seen right and publishes.
// It returns the record to save when last_seen moved.
func (d *Directory) publishLocked(st *jidState) (save bool) {
	p := d.compute(st)
	now := d.now()
	prev := st.cur
	if prev.Status == "" || prev.Status != p.Status {
		st.since = now
		if prev.Status.Online() && p.Status == Offline {
			st.rec.LastSeen = now
			p.LastSeen = now
			save = true
		}
	}
	if p.Status != Unknown {
		p.Since = st.since
	}
	st.cur = p
	d.updates++
	d.hub.Publish(NewPresenceEntry(p))
	return save
}

// Get returns the aggregated presence of jid (unknown for invisible JIDs).
func (d *Directory) Get(jid string) Presence {
	d.mu.Lock()
	defer d.mu.Unlock()
	if st := d.jids[jid]; st != nil && st.cur.Status != "" {
		return st.cur
	}
	return UnknownPresence(jid)
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
	if !d.showMessages || st.rec.HideMessage {
		for k, v := range sources {
			v.Message = ""
			sources[k] = v
		}
	}
	return sources
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
func (d *Directory) Group(name string) []string {
	d.mu.Lock()
	defer d.mu.Unlock()
	out := append([]string(nil), d.groups[name]...)
	sort.Strings(out)
	return out
}

// Groups returns the names of the watcher's roster groups, sorted.
func (d *Directory) Groups() []string {
	d.mu.Lock()
	defer d.mu.Unlock()
	out := make([]string, 0, len(d.groups))
	for g := range d.groups {
		out = append(out, g)
	}
	sort.Strings(out)
	return out
}
