package presence

import (
	"errors"
	"fmt"
	"slices"
	"time"
)

// RosterItem is what the watcher's roster says of one contact.
type RosterItem struct {
	// Subscribed: the watcher holds a subscription to the contact's presence
	// (roster subscription "to" or "both").
	Subscribed bool
	Groups     []string
}

// Connected records that the watcher is logged in again. The stale clock
// keeps running: the statuses are fresh only at the EndSync that follows,
// and a login that never gets that far must not postpone staleness.
func (d *Directory) Connected() {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.connected = true
}

// Disconnected records that the watcher lost its connection; StaleAfter
// after the loss of the last synced one, XMPP-derived statuses turn
// unknown. A session that never synced does not restart that clock.
func (d *Directory) Disconnected() {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.fresh {
		d.lostAt = d.now()
	}
	d.connected, d.fresh = false, false
	d.unsynced = nil
	d.stopGraceLocked()
	d.armStaleLocked()
}

func (d *Directory) armStaleLocked() {
	if d.closed || d.fresh || d.stale || d.staleAfter <= 0 || d.staleT != nil {
		return
	}
	if d.shared != nil && !d.leading {
		return // only the replica holding the watcher judges staleness
	}
	wait := d.staleAfter
	if d.shared != nil && !d.lostAt.IsZero() {
		// Counted from the end of the last synced session of whichever
		// replica held the watcher (Lead).
		wait = max(d.staleAfter-d.now().Sub(d.lostAt), 0)
	}
	gen := d.staleGen
	d.staleT = time.AfterFunc(wait, func() { d.markStale(gen) })
}

// stopStaleLocked cancels the stale timer, also one whose function is
// already waiting for the lock.
func (d *Directory) stopStaleLocked() {
	if d.staleT != nil {
		d.staleT.Stop()
		d.staleT = nil
	}
	d.staleGen++
}

// markStale is the stale timer's function; gen is the generation it was
// armed in. EndSync and Close move to a new generation.
func (d *Directory) markStale(gen uint64) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if gen != d.staleGen {
		return
	}
	d.staleT = nil
	d.stale = true
	// A count nobody has checked for StaleAfter is not known either: the
	// rooms show the default, no occupants, until the watcher is back.
	for room := range d.rooms {
		d.showRoomLocked(room, 0)
	}
	if !d.lostAt.IsZero() {
		for _, st := range d.jids {
			if best, ok := Best(st.resources); ok && best.Status.Online() && st.rec.Subscribed && !st.rec.OptedOut {
				st.onlineAtLoss = d.lostAt
			}
		}
	}
	d.republishXMPPLocked()
}

func (d *Directory) republishXMPPLocked() {
	for _, st := range d.jids {
		if st.rec.Subscribed {
			d.refreshLocked(st, false)
		}
	}
}

// BeginSync marks the start of a fresh roster and presence sync after a
// (re)connect: resources not announced again by SyncGrace after EndSync
// are dropped.
// Announcements are tracked by resource, not by time: presence replayed
// by the server may carry its original, older timestamp.
func (d *Directory) BeginSync() {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.stopGraceLocked()
	d.ownXMPP = d.leading
	d.unsynced = make(map[string]map[string]struct{})
	for jid, st := range d.jids {
		if len(st.resources) == 0 {
			continue
		}
		set := make(map[string]struct{}, len(st.resources))
		for res := range st.resources {
			set[res] = struct{}{}
		}
		d.unsynced[jid] = set
	}
}

// EndSync ends staleness and republishes. Resources not announced since
// BeginSync are dropped: at once for contacts on domain, the watcher's own,
// whose presence the server sent within the sync; SyncGrace later for the
// others, whose servers answer the probes over s2s (dropUnsynced). Without
// a BeginSync since the last Disconnected it does nothing: that sync was
// cut short.
func (d *Directory) EndSync(domain string) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.unsynced == nil || d.graceT != nil {
		return
	}
	d.stopStaleLocked()
	wasStale := d.stale
	d.stale, d.fresh = false, true
	for jid, set := range d.unsynced {
		if domain != "" && Domain(jid) == domain {
			d.dropLocked(jid, set)
			delete(d.unsynced, jid)
		}
	}
	if !d.closed {
		gen := d.graceGen
		d.graceT = time.AfterFunc(d.syncGrace, func() { d.dropUnsynced(gen) })
	}
	d.republishXMPPLocked()
	if wasStale {
		for room, n := range d.rooms {
			d.showRoomLocked(room, n)
		}
	}
}

// dropUnsynced is the grace timer's function: the resources still not
// announced again are gone.
func (d *Directory) dropUnsynced(gen uint64) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if gen != d.graceGen {
		return
	}
	d.graceT = nil
	for jid, set := range d.unsynced {
		d.dropLocked(jid, set)
		if gen != d.graceGen {
			return // a commit released d.mu, and a new sync began meanwhile
		}
	}
	d.unsynced = nil
}

// dropLocked drops the resources in set, which were not announced again
// after a reconnect. A JID that goes offline by it was last seen when the
// watcher lost the connection, the last moment it was known online.
func (d *Directory) dropLocked(jid string, set map[string]struct{}) {
	st := d.jids[jid]
	if st == nil || len(set) == 0 {
		return
	}
	for res := range set {
		delete(st.resources, res)
	}
	st.xmppAt = d.now()
	if d.shared != nil {
		_ = d.commitSharedLocked(st, sharedWrite{offlineAt: d.lostAt}) // best effort
		return
	}
	p, since, wentOffline := d.viewLocked(st)
	if wentOffline {
		if !d.lostAt.IsZero() {
			p.LastSeen = d.lostAt
		}
		st.rec.LastSeen = p.LastSeen
		d.changedLocked(st) // saved in the background, as in refreshLocked
	}
	d.showLocked(st, p, since)
}

// stopGraceLocked cancels the grace timer, also one whose function is
// already waiting for the lock.
func (d *Directory) stopGraceLocked() {
	if d.graceT != nil {
		d.graceT.Stop()
		d.graceT = nil
	}
	d.graceGen++
}

// SyncRoster replaces the whole roster: contacts no longer subscribed are
// forgotten, as after an unsubscribe. The saves run together and SyncRoster
// returns once all of them are on disk or failed.
func (d *Directory) SyncRoster(items map[string]RosterItem) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.groups = make(map[string][]string)
	var gone []string
	for jid, st := range d.jids {
		if _, ok := items[jid]; !ok && st.rec.Subscribed {
			gone = append(gone, jid)
		}
	}
	var writes []pendingWrite
	for _, jid := range gone {
		writes = append(writes, d.startForgetLocked(jid))
	}
	for jid, it := range items {
		writes = append(writes, d.startRosterItemLocked(jid, it))
	}
	var errs []error
	for _, w := range writes {
		errs = append(errs, d.awaitLocked(w))
	}
	return errors.Join(errs...)
}

// SetRosterItem applies one roster push. A contact that is no longer
// subscribed is forgotten at once.
func (d *Directory) SetRosterItem(jid string, it RosterItem) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.removeFromGroupsLocked(jid)
	return d.awaitLocked(d.startRosterItemLocked(jid, it))
}

// RemoveRosterItem applies a roster push that removed the contact.
func (d *Directory) RemoveRosterItem(jid string) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.removeFromGroupsLocked(jid)
	return d.awaitLocked(d.startUnsubscribedLocked(jid))
}

func (d *Directory) startRosterItemLocked(jid string, it RosterItem) pendingWrite {
	if !it.Subscribed {
		return d.startUnsubscribedLocked(jid)
	}
	for _, g := range it.Groups {
		d.groups[g] = append(d.groups[g], jid)
	}
	st := d.state(jid)
	var groups []string
	if d.shared != nil {
		// Other replicas learn the groups from the record.
		groups = slices.Sorted(slices.Values(it.Groups))
	}
	if st.rec.Subscribed && slices.Equal(st.rec.Groups, groups) {
		return d.pendingLocked(st)
	}
	st.rec.Subscribed, st.rec.Groups = true, groups
	return d.startCommitLocked(st)
}

func (d *Directory) removeFromGroupsLocked(jid string) {
	for g, members := range d.groups {
		kept := members[:0]
		for _, m := range members {
			if m != jid {
				kept = append(kept, m)
			}
		}
		if len(kept) == 0 {
			delete(d.groups, g)
		} else {
			d.groups[g] = kept
		}
	}
}

// startUnsubscribedLocked forgets jid if the watcher was subscribed to it:
// the user removed the bot. A roster item that never had a subscription (a
// request still pending, say) says nothing about presence pushed over HTTP
// and must not delete it.
func (d *Directory) startUnsubscribedLocked(jid string) pendingWrite {
	if st := d.jids[jid]; st == nil || !st.rec.Subscribed {
		return pendingWrite{}
	}
	return d.startForgetLocked(jid)
}

// Forget makes jid invisible at once and deletes everything stored of it.
func (d *Directory) Forget(jid string) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.removeFromGroupsLocked(jid)
	if err := d.awaitLocked(d.startForgetLocked(jid)); err != nil {
		return fmt.Errorf("presence: forget %s: %w", jid, err)
	}
	return nil
}

// startForgetLocked empties the record of jid, which deletes it from the
// store, and hides jid at once, before the delete is on disk: hiding early
// shows nothing a restart would lose.
func (d *Directory) startForgetLocked(jid string) pendingWrite {
	st := d.jids[jid]
	if st == nil {
		return pendingWrite{}
	}
	if d.shared != nil {
		// Shared: forgotten only once the store forgot it, since a
		// refused removal (a lease lost) must leave the replica as the
		// store is. Like a commit, it waits for the one in flight and
		// is made without d.mu.
		for st.committing {
			d.commitDone.Wait()
		}
		if d.closed {
			return pendingWrite{err: errClosed}
		}
		st.committing = true
		d.saving.Add(1) // Close waits for the removal to return
		d.mu.Unlock()
		err := d.shared.Remove(jid)
		d.mu.Lock()
		d.saving.Done()
		st.committing = false
		d.commitDone.Broadcast()
		if err != nil {
			return pendingWrite{err: err}
		}
		d.droppedLocked(st)
		return pendingWrite{}
	}
	delete(d.unsynced, jid)
	d.unscheduleLocked(jid)
	st.rec = Record{JID: jid}
	st.resources, st.xmppAt, st.onlineAtLoss = nil, time.Time{}, time.Time{}
	w := d.startCommitLocked(st)
	st.held = nil // views of versions before the forget must not show
	st.cur, st.since = UnknownPresence(jid), time.Time{}
	d.publishViewLocked(st, st.cur, st.since, nil)
	return w
}

// SetResource records the presence of one resource of a subscribed JID.
// Presence from JIDs the watcher is not subscribed to is ignored.
func (d *Directory) SetResource(jid, resource string, r Resource) {
	d.mu.Lock()
	defer d.mu.Unlock()
	st := d.jids[jid]
	if st == nil || !st.rec.Subscribed {
		return
	}
	if st.resources == nil {
		st.resources = make(map[string]Resource, 1)
	}
	if _, known := st.resources[resource]; !known && len(st.resources) >= MaxResources {
		d.evictResourceLocked(st)
	}
	delete(d.unsynced[jid], resource)
	r.Message = CleanMessage(r.Message)
	if r.Changed.IsZero() {
		r.Changed = d.now()
	}
	st.resources[resource] = r
	st.xmppAt = r.Changed
	d.refreshLocked(st, false)
}

// MaxResources caps the resources kept per JID. A real account has a few
// (phone, desktop, a web client); a contact (or a broken client)
// announcing resource after resource must not grow the directory without
// bound. 32 leaves every plausible account all of its own.
const MaxResources = 32

// evictResourceLocked makes room for one more resource of st: the one that
// counts least goes, the lowest priority and, among those, the oldest
// change (the opposite of Best); a full tie goes to the name sorting last.
func (d *Directory) evictResourceLocked(st *jidState) {
	var name string
	var worst Resource
	found := false
	for n, r := range st.resources {
		if !found || r.Priority < worst.Priority ||
			(r.Priority == worst.Priority && (r.Changed.Before(worst.Changed) ||
				r.Changed.Equal(worst.Changed) && n > name)) {
			worst, name, found = r, n, true
		}
	}
	if found {
		delete(st.resources, name)
		delete(d.unsynced[st.rec.JID], name)
	}
}

// RemoveResource records that one resource went unavailable.
func (d *Directory) RemoveResource(jid, resource string) {
	d.mu.Lock()
	defer d.mu.Unlock()
	st := d.jids[jid]
	if st == nil || !st.rec.Subscribed {
		return
	}
	delete(st.resources, resource)
	delete(d.unsynced[jid], resource)
	st.xmppAt = d.now()
	d.refreshLocked(st, false)
}

// RemoveResources records that every resource of jid went unavailable, as
// unavailable presence from the bare JID says (RFC 6121 4.3.2).
func (d *Directory) RemoveResources(jid string) {
	d.mu.Lock()
	defer d.mu.Unlock()
	st := d.jids[jid]
	if st == nil || !st.rec.Subscribed {
		return
	}
	clear(st.resources)
	delete(d.unsynced, jid)
	st.xmppAt = d.now()
	d.refreshLocked(st, false)
}

// SetRoom publishes the occupant count of a room; the lock keeps the order
// of publishes that of the calls. While stale, the count is kept and shown
// at the EndSync that ends staleness.
func (d *Directory) SetRoom(room string, occupants int) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if occupants < 0 {
		occupants = 0
	}
	d.rooms[room] = occupants
	if !d.stale {
		d.showRoomLocked(room, occupants)
	}
}

// showRoomLocked publishes a room's count; with a shared store, through
// it, and every replica (this one too) publishes the store's notice.
func (d *Directory) showRoomLocked(room string, occupants int) {
	if d.shared != nil {
		d.mu.Unlock()                         // the store may hang: reads go on meanwhile
		_ = d.shared.SetRoom(room, occupants) // best effort, as XMPP input is
		d.mu.Lock()
		return
	}
	d.hub.Publish(NewRoomEntry(Room{Room: room, Occupants: occupants}))
}

// ErrNotSubscribed: the directory does not hold the JID as subscribed (its
// subscription failed to save, say), so there is no record to keep a
// choice in.
var ErrNotSubscribed = errors.New("not subscribed")

// SetChoice records a user's choices (opt-out, hidden fields). For a JID
// not held as subscribed it saves nothing and says so: a choice
// acknowledged but not kept would be undone by the next sync.
func (d *Directory) SetChoice(jid string, optOut bool, hidden FieldSet) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	st := d.jids[jid]
	if st == nil || !st.rec.Subscribed {
		return fmt.Errorf("presence: choice of %s: %w", jid, ErrNotSubscribed)
	}
	st.rec.OptedOut = optOut
	st.rec.SetHidden(hidden)
	return d.awaitLocked(d.startCommitLocked(st))
}
