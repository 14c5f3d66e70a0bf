package presence

import (
	"bytes"
	"errors"
	"fmt"
	"time"
)

// How records reach the store (docs/DESIGN.md, "Durable writes").
//
// Every change to a JID's record bumps its version, ver, and queues the JID
// for the committer (changedLocked): one goroutine, started when a change
// finds none running, which takes every JID queued, saves their latest
// records in one Store.Write with d.mu released, and then, holding d.mu
// once for the whole batch, takes note of what is saved, publishes what
// waited for it and answers the writes waiting; it ends when nothing is
// left queued. So:
//
//   - the directory's lock is never held across disk I/O (nor across a
//     shared store's round trip: commitSharedLocked), and the changes made
//     while one commit is under way share the next one (group commit);
//   - a JID is in at most one commit at a time, so its records reach the
//     store in version order, and changes made during a commit are saved
//     together by the next one;
//   - what a JID shows is published only once the record it was computed
//     from is saved (held until then); when a commit returns, the latest
//     view computed from the version it saved or an older one is
//     published, so a JID's views appear in the order their records became
//     durable;
//   - an acknowledged write (pendingWrite) waits, without d.mu, until its
//     version is saved, and is handed what the JID shows then; XMPP input
//     and timers do not wait.
//
// A failed save rolls the record back to what the store holds, fails every
// write waiting on the JID and shows what the saved record says.

// errClosed fails writes to a closed Directory.
var errClosed = errors.New("presence: directory closed")

// heldView is a presence computed from version v of a record not yet
// saved. seq tells it from a view computed later for the same version; e
// is its entry, once encoded (the committer encodes it while the record is
// being saved, so that publishing it takes the lock only briefly).
type heldView struct {
	v     uint64
	p     Presence
	since time.Time
	seq   uint64
	e     *Entry
}

// waiter is an acknowledged write waiting for version v of its JID's record.
type waiter struct {
	v    uint64
	done chan writeResult
}

// writeResult answers a waiter: what the JID shows once the write is on
// disk, or why it failed.
type writeResult struct {
	e   *Entry
	err error
}

// pendingWrite is an acknowledged write of jid's record: done answers once
// it is on disk or failed. Without done it is answered already: e is what
// the JID shows, or err why the write failed before it was queued.
type pendingWrite struct {
	jid  string
	done chan writeResult
	e    *Entry
	err  error
}

// empty: nothing is stored for a record like this one; saving it deletes.
func (r Record) empty() bool {
	return !r.Subscribed && !r.OptedOut && !r.HideMessage && r.LastSeen.IsZero() &&
		r.HTTP == nil && r.XMPP == nil && r.Details == nil && len(r.Groups) == 0
}

// changedLocked notes that st.rec changed and queues it for the next
// commit, starting the committer if none runs.
func (d *Directory) changedLocked(st *jidState) {
	st.ver++
	if st.queued || d.closed {
		return
	}
	st.queued = true
	d.dirty = append(d.dirty, st)
	if !d.committer {
		d.committer = true
		d.saving.Add(1)
		go d.commitLoop()
	}
}

// startCommitLocked recomputes st after a change by an acknowledged write
// and queues the record's save; the caller waits for it (wait, awaitLocked).
func (d *Directory) startCommitLocked(st *jidState) pendingWrite {
	if d.shared != nil {
		// A shared store's commit is a single round trip, made here.
		jid := st.rec.JID
		if err := d.commitSharedLocked(st, sharedWrite{}); err != nil {
			if st.shown == nil && st.base.Version == 0 && d.jids[jid] == st && st.writers == 0 {
				delete(d.jids, jid) // made for this write, never shown
			}
			return pendingWrite{err: err}
		}
		return pendingWrite{e: d.entryLocked(st.rec.JID)}
	}
	if d.closed {
		d.failLocked(st, errClosed)
		return pendingWrite{err: errClosed}
	}
	d.refreshLocked(st, true)
	return d.pendingLocked(st)
}

// pendingLocked is a write waiting for the current version of st's record.
func (d *Directory) pendingLocked(st *jidState) pendingWrite {
	if st.savedVer >= st.ver {
		return pendingWrite{e: d.entryLocked(st.rec.JID)}
	}
	w := pendingWrite{jid: st.rec.JID, done: make(chan writeResult, 1)}
	st.waiters = append(st.waiters, waiter{v: st.ver, done: w.done})
	return w
}

// wait waits until w is on disk, without d.mu, and returns what its JID
// shows then.
func (w pendingWrite) wait() (*Entry, error) {
	if w.done != nil {
		return w.answer(<-w.done)
	}
	if w.err != nil {
		return nil, fmt.Errorf("presence: save: %w", w.err)
	}
	return w.e, nil
}

func (w pendingWrite) answer(r writeResult) (*Entry, error) {
	if r.err != nil {
		return nil, fmt.Errorf("presence: save %s: %w", w.jid, r.err)
	}
	return r.e, nil
}

// awaitLocked waits until w is on disk, releasing d.mu meanwhile. A write
// answered already keeps the lock: letting go of it only to take it again
// would queue the caller behind every other one waiting for it.
func (d *Directory) awaitLocked(w pendingWrite) error {
	if w.done != nil {
		select {
		case r := <-w.done:
			_, err := w.answer(r)
			return err
		default:
		}
		d.mu.Unlock()
		defer d.mu.Lock()
	}
	_, err := w.wait()
	return err
}

// commitLoop is the committer: it commits what is queued until nothing
// is. Owned by the Directory; Close waits for it.
func (d *Directory) commitLoop() {
	defer d.saving.Done()
	d.mu.Lock()
	defer d.mu.Unlock()
	for len(d.dirty) > 0 {
		d.commitBatchLocked()
	}
	d.committer = false
}

// commitBatchLocked saves the records of every JID queued in one
// Store.Write, with d.mu released meanwhile, and then takes note of the
// outcome of each. A JID changed during the commit is queued again; after
// Close, what is queued fails instead.
func (d *Directory) commitBatchLocked() {
	batch := d.dirty
	d.dirty = d.spare[:0]
	defer func() { clear(batch); d.spare = batch[:0] }()
	if d.closed {
		for _, st := range batch {
			st.queued = false
			d.failLocked(st, errClosed)
			d.tidyLocked(st)
		}
		return
	}
	// The committer's buffers, kept from one commit to the next.
	c := &d.commit
	for _, st := range batch {
		// The views a successful commit publishes are encoded meanwhile,
		// without the lock: a presence is never changed once computed.
		view, encode := st.publishedBy(st.ver)
		c.items = append(c.items, commitItem{v: st.ver, view: view, encode: encode})
		c.writes = append(c.writes, Write{Record: st.rec, Delete: st.rec.empty()}) // HTTPState values are replaced, never changed in place
	}
	defer c.reset()
	d.mu.Unlock()
	for i := range c.items {
		if it := &c.items[i]; it.encode {
			it.view.e = NewPresenceEntry(it.view.p)
		}
	}
	errs := d.store.Write(c.writes)
	d.mu.Lock()
	for i, st := range batch {
		if errs != nil && errs[i] != nil {
			d.failLocked(st, errs[i])
		} else {
			if it := c.items[i]; it.encode {
				st.encoded(it.view)
			}
			d.savedLocked(st, c.writes[i].Record, c.items[i].v)
		}
		if st.ver != st.savedVer {
			d.dirty = append(d.dirty, st) // changed meanwhile: still queued
		} else {
			st.queued = false
			d.tidyLocked(st)
		}
	}
}

// commitBuffers hold what the committer needs of each JID in the commit
// under way, beside the writes it hands the store; kept between commits,
// so that a commit allocates none of them.
type commitBuffers struct {
	items  []commitItem
	writes []Write
}

// commitItem is the version of a JID's record being committed, and the
// view its commit publishes, to be encoded if encode is set.
type commitItem struct {
	v      uint64
	view   heldView
	encode bool
}

func (c *commitBuffers) reset() {
	clear(c.items)
	clear(c.writes)
	c.items, c.writes = c.items[:0], c.writes[:0]
}

// savedLocked takes note that rec, version v of st's record, is on disk:
// it publishes what waited for it and answers the writes it covers.
func (d *Directory) savedLocked(st *jidState, rec Record, v uint64) {
	st.saved, st.savedVer = rec, v
	if h := rec.HTTP; h != nil && !h.Expires.IsZero() {
		d.scheduleLocked(rec.JID, h.Expires)
	} else {
		d.unscheduleLocked(rec.JID)
	}
	// The latest view computed from this version or an older one.
	if i := st.latestHeld(v); i >= 0 {
		h := st.held[i]
		d.publishViewLocked(st, h.p, h.since, h.e)
		st.held = append(st.held[:0], st.held[i+1:]...)
	}
	if len(st.waiters) == 0 {
		return
	}
	e := d.entryLocked(rec.JID)
	kept := st.waiters[:0]
	for _, w := range st.waiters {
		if w.v <= v {
			w.done <- writeResult{e: e}
		} else {
			kept = append(kept, w)
		}
	}
	clear(st.waiters[len(kept):])
	st.waiters = kept
}

// latestHeld is the index of the latest held view computed from version v
// or an older one, or -1.
func (st *jidState) latestHeld(v uint64) int {
	i := len(st.held) - 1
	for i >= 0 && st.held[i].v > v {
		i--
	}
	return i
}

// publishedBy is the view that saving version v would publish, and whether
// it still needs encoding.
func (st *jidState) publishedBy(v uint64) (heldView, bool) {
	i := st.latestHeld(v)
	if i < 0 || st.held[i].e != nil {
		return heldView{}, false
	}
	return st.held[i], true
}

// encoded gives the entry of view to the held view it was copied from, if
// that one was not replaced meanwhile.
func (st *jidState) encoded(view heldView) {
	for i := range st.held {
		if st.held[i].seq == view.seq {
			st.held[i].e = view.e
		}
	}
}

// failLocked handles a failed save of st's record: the record goes back to
// what the store holds, every write waiting on it fails, and st shows what
// the saved record and its resources say. A forget stays in force: the JID
// stays hidden although its record could not be deleted (it reappears
// after a restart, and the next forget deletes it).
func (d *Directory) failLocked(st *jidState, err error) {
	for _, w := range st.waiters {
		w.done <- writeResult{err: err}
	}
	st.waiters = nil
	// Versions only grow: the record taken back gets the version of the
	// one that failed, and the next change a higher one.
	st.savedVer = st.ver
	st.held = nil
	if st.rec.empty() {
		return
	}
	st.rec = st.saved
	if st.shown == nil {
		st.cur, st.since = Presence{}, time.Time{}
		if !st.visible() {
			return // never shown, and nothing to show
		}
	} else {
		st.cur, st.since = st.shown.Presence, st.shownSince
	}
	// XMPP may have changed the resources meanwhile. A JID going offline
	// keeps the last_seen stored: the store has just failed to take another.
	p, since, wentOffline := d.viewLocked(st)
	if wentOffline {
		p.LastSeen = st.rec.LastSeen
	}
	if st.shown == nil || !bytes.Equal(NewPresenceEntry(p).JSON, st.shown.JSON) {
		d.showLocked(st, p, since)
	}
}

// tidyLocked drops st once it holds nothing: forgotten, or a new JID whose
// first write failed.
func (d *Directory) tidyLocked(st *jidState) {
	jid := st.rec.JID
	if st.queued || len(st.waiters) > 0 || !st.rec.empty() || st.ver != st.savedVer ||
		len(st.resources) > 0 || d.jids[jid] != st {
		return
	}
	if _, ok := d.unsynced[jid]; ok {
		return
	}
	delete(d.jids, jid)
}
