package presence

import (
	"fmt"
	"time"
)

// This file is the Directory's side of a shared store (docs/DESIGN.md,
// Replicas on Redis): each replica aggregates with the same code as a single
// server, commits through the store, and mirrors what any replica committed.

// takeXMPPLocked writes into the record what this replica's watcher says
// of st, once it owns the XMPP source (its watcher began a sync) or judged
// it stale: the other replicas read the XMPP source from the record.
func (d *Directory) takeXMPPLocked(st *jidState) {
	if !d.leading || !(d.ownXMPP || d.stale) || !st.rec.Subscribed || st.rec.OptedOut {
		return
	}
	x := d.watchedLocked(st)
	st.rec.XMPP = &x
	det := d.watchedDetailsLocked(st)
	if old := st.rec.Details; !d.ownXMPP && old != nil {
		// Judged stale before its own sync: what the contact published
		// stays what the previous holder said, as a single server keeps it.
		det.Name, det.AvatarID = old.Name, old.AvatarID
		det.Tune, det.Mood, det.Activity = old.Tune, old.Mood, old.Activity
	}
	st.rec.Details = nil
	if !det.IsZero() {
		st.rec.Details = &det
	}
}

// sharedWrite varies a commit to the shared store.
type sharedWrite struct {
	// offlineAt, when set, is the last_seen of a JID that goes offline by
	// this write (the loss of the watcher's connection, as in dropLocked).
	offlineAt time.Time
	// redo, when set, makes the change again on what another replica
	// stored meanwhile, and says whether there is still one to make;
	// without it the fields this replica changed are written over the
	// stored record (rebase).
	redo func(r *Record) bool
	// unfenced: a copy from another store, not a write of the watcher.
	unfenced bool
}

// commitSharedLocked commits what the caller changed in st.rec (from
// st.base) with the presence it shows, and shows what the store holds
// then. d.mu is released while the store answers, which may take up to its
// timeout, so that reads, Stats and Apply go on meanwhile; a JID has one
// commit in flight at a time, so its writes reach the store in order, and
// a change made meanwhile waits and then goes in the next one. On an error
// the caller's change is undone (the record is what the store holds, with
// the changes of writers still waiting), nothing shown.
func (d *Directory) commitSharedLocked(st *jidState, w sharedWrite) error {
	offlineAt, redo := w.offlineAt, w.redo
	jid := st.rec.JID
	st.writers++
	for {
		for st.committing {
			d.commitDone.Wait()
		}
		// Forgotten meanwhile (the store deleted the JID): the change goes
		// on what this replica knows now.
		cur := d.jids[jid]
		if cur == st {
			break
		}
		if cur == nil {
			if recordEqual(st.rec, st.base) {
				st.writers--
				return nil // nothing changed of what was deleted
			}
			d.jids[jid] = st
			break
		}
		cur.rec = rebase(st.base, st.rec, cur.rec)
		st.writers--
		st = cur
		st.writers++
	}
	defer func() { st.writers-- }()
	d.takeXMPPLocked(st)
	view := func(s *jidState) Shared {
		p, since, wentOffline := d.viewLocked(s)
		if wentOffline {
			if !offlineAt.IsZero() {
				p.LastSeen = offlineAt
			}
			s.rec.LastSeen = p.LastSeen
		}
		return Shared{Record: s.rec, Presence: p, Since: since}
	}
	next := view(st)
	if st.cur.Status != "" && recordEqual(next.Record, st.base) && presenceEqual(next.Presence, st.cur) {
		return nil
	}
	if d.closed {
		st.rec = st.base
		return fmt.Errorf("presence: save %s: %w", jid, errClosed)
	}
	base, mine := st.base, next.Record
	st.committing = true
	d.saving.Add(1) // Close waits for the commit to return
	d.mu.Unlock()
	got, err := d.shared.Commit(next, !w.unfenced && watcherFields(base, mine), func(stored Shared) (Shared, bool) {
		// A retry computes under d.mu again, though no I/O is made.
		d.mu.Lock()
		defer d.mu.Unlock()
		r := stored.Record
		if stored.Gone {
			r = Record{JID: mine.JID, Version: stored.Record.Version}
		}
		if redo != nil {
			if !redo(&r) {
				return Shared{}, false
			}
		} else {
			r = rebase(base, mine, r)
		}
		tmp := &jidState{rec: r, profile: st.profile, resources: st.resources}
		if !stored.Gone {
			tmp.cur, tmp.since = stored.Presence, stored.Since
		}
		return view(tmp), true
	})
	d.mu.Lock()
	d.saving.Done()
	st.committing = false
	d.commitDone.Broadcast()
	// What writers waiting on st changed meanwhile is the difference
	// between st.rec and mine; it stays, on the newest record known.
	pending := st.rec
	if err != nil {
		st.rec = rebase(mine, pending, st.base)
		return fmt.Errorf("presence: save %s: %w", jid, err)
	}
	if d.jids[jid] != st {
		d.applyLocked(got) // forgotten meanwhile by an older deletion
		return nil
	}
	if st.base.Version < got.Record.Version || got.Gone && got.Record.Version == 0 {
		d.adoptLocked(st, got)
		if got.Gone {
			return nil
		}
	}
	st.rec = rebase(mine, pending, st.base)
	return nil
}

// adoptLocked makes s, which the store holds, what st is and shows. A
// change that writers of st are making stays: the one in flight is
// rebased when its commit returns, those waiting for it now.
func (d *Directory) adoptLocked(st *jidState, s Shared) {
	jid := st.rec.JID
	if s.Gone {
		d.droppedLocked(st)
		return
	}
	d.adoptions++
	st.adopted = d.adoptions
	delete(d.gone, jid) // back: a snapshot may show it again
	old, pending := st.base, st.rec
	d.indexGroupsLocked(jid, old.Groups, s.Record.Groups)
	st.base, st.rec, st.saved = s.Record, s.Record, s.Record
	p := s.Presence
	if st.visible() { // the details as this replica's privacy shows them
		p.Details = d.detailsLocked(st).Only(d.shownLocked(st))
	}
	switch {
	case st.committing:
		st.rec = pending
	case st.writers > 0:
		st.rec = rebase(old, pending, s.Record)
	}
	d.showLocked(st, p, s.Since)
}

// indexGroupsLocked moves jid in d.members from the roster groups was
// to those of now, as a record is adopted or forgotten.
func (d *Directory) indexGroupsLocked(jid string, was, now []string) {
	for _, g := range was {
		delete(d.members[g], jid)
		if len(d.members[g]) == 0 {
			delete(d.members, g)
		}
	}
	for _, g := range now {
		if d.members[g] == nil {
			d.members[g] = make(map[string]struct{})
		}
		d.members[g][jid] = struct{}{}
	}
}

// Apply mirrors a value that a replica (this one too) committed to the
// shared store, unless this replica holds a newer one already.
func (d *Directory) Apply(s Shared) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.applyLocked(s)
}

func (d *Directory) applyLocked(s Shared) {
	if d.closed {
		return
	}
	st := d.jids[s.Record.JID]
	if st != nil && st.base.Version >= s.Record.Version {
		return
	}
	if st == nil {
		if s.Gone {
			return
		}
		st = d.state(s.Record.JID)
	}
	d.adoptLocked(st, s)
}

// droppedLocked forgets st, which the shared store no longer holds, and
// shows its JID as unknown. While a reload is under way the JID is
// remembered as gone (d.gone), so that the snapshot, which may have been
// read before it went, does not bring it back.
func (d *Directory) droppedLocked(st *jidState) {
	jid := st.rec.JID
	if d.jids[jid] == st {
		d.indexGroupsLocked(jid, st.base.Groups, nil)
		delete(d.jids, jid)
	}
	delete(d.unsynced, jid)
	if d.gone != nil {
		d.adoptions++
		d.gone[jid] = d.adoptions
	}
	d.updates++
	d.hub.Publish(NewPresenceEntry(UnknownPresence(jid)))
}

// BeginReload marks the start of a reload, before the store is read, and
// returns what Reload takes as since: the count of values adopted so far.
// Until Reload, the JIDs forgotten are remembered, however few or many
// changes come meanwhile: a reload is the one time they are needed.
func (d *Directory) BeginReload() uint64 {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.gone == nil {
		d.gone = make(map[string]uint64)
	}
	return d.adoptions
}

// Reload mirrors everything the shared store holds, as after a reconnect
// to it, when notices may have been lost: JIDs it no longer holds are
// forgotten here too, unless this replica adopted them after the snapshot
// began, when BeginReload said since: committed or told of meanwhile, they
// are newer than the snapshot. Likewise a JID forgotten after the
// snapshot began stays forgotten, though the snapshot holds it.
func (d *Directory) Reload(all []Shared, since uint64) {
	d.mu.Lock()
	defer d.mu.Unlock()
	held := make(map[string]bool, len(all))
	for _, s := range all {
		held[s.Record.JID] = true
		if d.gone[s.Record.JID] > since {
			continue
		}
		d.applyLocked(s)
	}
	for jid, st := range d.jids {
		if !held[jid] && st.adopted <= since {
			d.adoptLocked(st, Shared{Record: Record{JID: jid}, Gone: true})
		}
	}
	d.gone = nil
}

// Lead makes this replica the one that runs the XMPP watcher. lostAt is
// when the last synced session of the previous holder ended (zero: none
// known): the stale clock counts from then. Until its own watcher begins a
// sync, the XMPP source stays what the store holds.
func (d *Directory) Lead(lostAt time.Time) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.shared == nil {
		return
	}
	d.leading, d.ownXMPP = true, false
	d.connected, d.fresh, d.stale = false, false, false
	d.lostAt = lostAt
	d.stopStaleLocked()
	d.armStaleLocked()
}

// StepDown ends this replica's part as the watcher's holder: its
// watcher has stopped, what it knew of resources is dropped, and its
// clocks stop; the records stay as the store holds them.
func (d *Directory) StepDown() {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.leading, d.ownXMPP = false, false
	d.connected, d.fresh, d.stale = false, false, false
	d.stopStaleLocked()
	d.stopGraceLocked()
	d.unsynced = nil
	for _, st := range d.jids {
		st.resources, st.onlineAtLoss = nil, time.Time{}
	}
	clear(d.rooms)
	clear(d.groups)
}

// Import stores r, a record of another store (badges migrate), unless the
// shared store holds one for its JID already, and says whether it did:
// importing twice changes nothing. An http source that ran out meanwhile
// is stored offline, as a restart of a single server shows it.
func (d *Directory) Import(r Record) (bool, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.shared == nil {
		return false, fmt.Errorf("presence: import %s: no shared store", r.JID)
	}
	r.Version, r.XMPP, r.Details = 0, nil, nil
	st := d.state(r.JID)
	if st.base.Version != 0 {
		return false, nil // held already
	}
	st.rec = r
	d.restoreHTTPLocked(st)
	held := false
	err := d.commitSharedLocked(st, sharedWrite{unfenced: true, redo: func(*Record) bool {
		held = true
		return false
	}})
	if err != nil {
		if st.cur.Status == "" {
			delete(d.jids, r.JID)
		}
		return false, err
	}
	return !held, nil
}
