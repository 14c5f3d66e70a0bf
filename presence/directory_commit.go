package presence

import (
	"bytes"
	"errors"
	"fmt"
	"math"
	"time"
)

// How records reach the store (docs/DESIGN.md, "Durable writes").
//
// Every change to a JID's record bumps its version, ver; a goroutine per JID with
// changes, the flusher, saves the latest record until the saved version has
// caught up, with d.mu released during each save. So:
//
//   - the directory's lock is never held across disk I/O (nor across a
//     shared store's round trip: commitSharedLocked), and writes of
//     different JIDs reach the store concurrently, where they share commits;
//   - one JID has at most one save in flight, so its records reach the
//     store in version order, and changes made during a save are saved
//     together by the next one;
//   - what a JID shows is published only once the record it was computed
//     from is saved (held until then); when a save returns, the latest view
//     computed from that version or an older one is published, so a JID's
//     views appear in the order their records became durable;
//   - an acknowledged write (awaitLocked) returns once its version is
//     saved; XMPP input and timers do not wait.
//
// A failed save rolls the record back to what the store holds, fails every
// write waiting on the JID and shows what the saved record says.

// errClosed fails writes to a closed Directory.
var errClosed = errors.New("presence: directory closed")

// heldView is a presence computed from version v of a record not yet
// saved. seq tells it from a view computed later for the same version; e
// is its entry, once encoded (saveLocked encodes it while the record is
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
	done chan error
}

// pendingWrite is a change to st's record made by an acknowledged write;
// done answers once it is on disk or failed. The zero value is a write that
// had nothing to change.
type pendingWrite struct {
	st   *jidState
	done chan error
	err  error // set when the write failed before it was queued
}

// empty: nothing is stored for a record like this one; saving it deletes.
func (r Record) empty() bool {
	return !r.Subscribed && !r.OptedOut && !r.HideMessage && r.LastSeen.IsZero() &&
		r.HTTP == nil && r.XMPP == nil && r.Details == nil && len(r.Groups) == 0
}

// changedLocked notes that st.rec changed and has it saved.
func (d *Directory) changedLocked(st *jidState) {
	st.ver++
	if st.flushing || d.closed {
		return
	}
	st.flushing = true
	d.flushers.Add(1)
	go d.flush(st)
}

// startCommitLocked recomputes st after a change by an acknowledged write
// and queues the record's save; awaitLocked waits for it.
func (d *Directory) startCommitLocked(st *jidState) pendingWrite {
	if d.shared != nil {
		// A shared store's commit is a single round trip, made here.
		if err := d.commitSharedLocked(st, sharedWrite{}); err != nil {
			if st.shown == nil && st.base.Version == 0 {
				delete(d.jids, st.rec.JID) // made for this write, never shown
			}
			return pendingWrite{err: err}
		}
		return pendingWrite{}
	}
	if d.closed {
		d.failLocked(st, errClosed)
		return pendingWrite{err: errClosed}
	}
	d.refreshLocked(st, true)
	return d.pendingLocked(st)
}

// commitLocked saves the record of st, changed by the caller, and waits
// until it is on disk (releasing d.mu meanwhile); only then is it
// published, so that nothing is shown or acknowledged that a restart would
// lose. On a failed save the record goes back to what the store holds and
// nothing is published: the write did not happen.
//
// When no save of st is under way, the writer saves the record itself
// instead of starting a flusher and waiting for it: one goroutine and one
// hand-off fewer per acknowledged write. Changes that others make
// meanwhile go on in a flusher once the writer's own version is saved, so
// that its answer never waits for theirs.
func (d *Directory) commitLocked(st *jidState) error {
	if d.shared != nil || d.closed || st.flushing {
		return d.awaitLocked(d.startCommitLocked(st))
	}
	st.flushing = true
	d.flushers.Add(1)
	d.refreshLocked(st, true)
	w := d.pendingLocked(st)
	d.saveLocked(st, st.ver)
	if st.ver != st.savedVer {
		go d.flush(st) // takes over st.flushing and the count in d.flushers
	} else {
		st.flushing = false
		d.flushers.Done()
		d.tidyLocked(st)
	}
	return d.awaitLocked(w)
}

// pendingLocked is a write waiting for the current version of st's record.
func (d *Directory) pendingLocked(st *jidState) pendingWrite {
	w := pendingWrite{st: st, done: make(chan error, 1)}
	if st.savedVer >= st.ver {
		w.done <- nil
	} else {
		st.waiters = append(st.waiters, waiter{v: st.ver, done: w.done})
	}
	return w
}

// awaitLocked waits until w is on disk, releasing d.mu meanwhile. A write
// already answered (one its writer saved itself) keeps the lock: letting
// go of it only to take it again would queue the writer behind every
// other one waiting for it.
func (d *Directory) awaitLocked(w pendingWrite) error {
	if w.err != nil {
		return fmt.Errorf("presence: save: %w", w.err)
	}
	if w.st == nil {
		return nil
	}
	var err error
	select {
	case err = <-w.done:
	default:
		d.mu.Unlock()
		err = <-w.done
		d.mu.Lock()
	}
	if err != nil {
		return fmt.Errorf("presence: save %s: %w", w.st.rec.JID, err)
	}
	return nil
}

// flush is st's flusher: it saves st.rec until the saved version catches
// up, then ends. Owned by the Directory; Close waits for it.
func (d *Directory) flush(st *jidState) {
	defer d.flushers.Done()
	d.mu.Lock()
	defer d.mu.Unlock()
	d.saveLocked(st, math.MaxUint64)
	st.flushing = false
	d.tidyLocked(st)
}

// saveLocked saves st.rec, releasing d.mu during each save, until version
// v is saved or failed, or until the saved version catches up. The caller
// is st's flusher (st.flushing).
func (d *Directory) saveLocked(st *jidState, v uint64) {
	for st.savedVer != st.ver && st.savedVer < v {
		if d.closed {
			d.failLocked(st, errClosed)
			return
		}
		rec, rv := st.rec, st.ver // HTTPState values are replaced, never changed in place
		// The view a successful save publishes is encoded meanwhile, without
		// the lock: a presence is never changed once computed.
		view, encode := st.publishedBy(rv)
		d.mu.Unlock()
		if encode {
			view.e = NewPresenceEntry(view.p)
		}
		var err error
		if rec.empty() {
			err = d.store.Delete(rec.JID)
		} else {
			err = d.store.Save(rec)
		}
		d.mu.Lock()
		if err != nil {
			d.failLocked(st, err)
			continue
		}
		if encode {
			st.encoded(view)
		}
		d.savedLocked(st, rec, rv)
	}
}

// savedLocked takes note that rec, version v of st's record, is on disk.
func (d *Directory) savedLocked(st *jidState, rec Record, v uint64) {
	st.saved, st.savedVer = rec, v
	kept := st.waiters[:0]
	for _, w := range st.waiters {
		if w.v <= v {
			w.done <- nil
		} else {
			kept = append(kept, w)
		}
	}
	clear(st.waiters[len(kept):])
	st.waiters = kept
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
		w.done <- err
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
	if st.flushing || len(st.waiters) > 0 || !st.rec.empty() || st.ver != st.savedVer ||
		len(st.resources) > 0 || d.jids[jid] != st {
		return
	}
	if _, ok := d.unsynced[jid]; ok {
		return
	}
	delete(d.jids, jid)
}
