package presence

import (
	"container/heap"
	"time"
)

// DefaultTTL is how long http-source presence lasts without a refresh.
const DefaultTTL = 120 * time.Second

// SetHTTP records presence pushed over HTTP. It returns once the record is
// durably stored, with the entry the JID shows since (shared with the hub:
// not to be changed); ttl <= 0 means DefaultTTL. On an error nothing
// changed.
func (d *Directory) SetHTTP(jid string, s Status, message string, ttl time.Duration) (*Entry, error) {
	if ttl <= 0 {
		ttl = DefaultTTL
	}
	message = CleanMessage(message) // before taking the lock, which every writer waits for
	d.mu.Lock()
	now := d.now()
	st := d.state(jid)
	h := &HTTPState{Status: s, Message: message, Changed: now, Expires: now.Add(ttl)}
	if old := st.rec.HTTP; old != nil && old.Status == h.Status && old.Message == h.Message {
		h.Changed = old.Changed // a refresh is not a change
	}
	st.rec.HTTP = h
	w := d.startCommitLocked(st)
	d.mu.Unlock()
	return w.wait()
}

// ClearHTTP sets the http source of jid offline now and returns what jid
// shows then, as SetHTTP does. On an error nothing changed.
func (d *Directory) ClearHTTP(jid string) (*Entry, error) {
	d.mu.Lock()
	st := d.jids[jid]
	if st == nil || st.rec.HTTP == nil || st.rec.HTTP.Status == Offline && st.rec.HTTP.Expires.IsZero() {
		defer d.mu.Unlock()
		return d.entryLocked(jid), nil // nothing pushed, or cleared already
	}
	st.rec.HTTP = &HTTPState{Status: Offline, Changed: d.now()}
	w := d.startCommitLocked(st)
	d.mu.Unlock()
	return w.wait()
}

// The expiry heap follows the saved records: savedLocked schedules or
// unschedules a JID each time its record is saved.

// restoreHTTPLocked re-arms the expiry of an http source loaded from the
// store. One that expired while badges was down is turned offline as of its
// expiry, so that a restart never shows a stale push as online, not even
// until the timer fires, and last_seen says when the push really ran out.
// Nothing is saved: the same record always restores to the same state.
func (d *Directory) restoreHTTPLocked(st *jidState) {
	h := st.rec.HTTP
	if h == nil || h.Expires.IsZero() {
		return
	}
	if h.Expires.After(d.now()) {
		d.scheduleLocked(st.rec.JID, h.Expires)
		return
	}
	changed := h.Expires
	if h.Status == Offline {
		changed = h.Changed
	} else if h.Expires.After(st.rec.LastSeen) {
		st.rec.LastSeen = h.Expires
	}
	st.rec.HTTP = &HTTPState{Status: Offline, Changed: changed}
}

// expiry is one pending http-source expiry.
type expiry struct {
	at    time.Time
	jid   string
	index int
}

// expiries is a min-heap by time; one timer serves the whole heap.
type expiries []*expiry

func (h expiries) Len() int           { return len(h) }
func (h expiries) Less(i, j int) bool { return h[i].at.Before(h[j].at) }
func (h expiries) Swap(i, j int) {
	h[i], h[j] = h[j], h[i]
	h[i].index, h[j].index = i, j
}
func (h *expiries) Push(x any) { e := x.(*expiry); e.index = len(*h); *h = append(*h, e) }
func (h *expiries) Pop() any {
	old := *h
	e := old[len(old)-1]
	*h = old[:len(old)-1]
	return e
}

// httpTimer holds the expiry heap and its single timer; guarded by
// Directory.mu. The timer may fire early, never late: it is armed for at
// most the first expiry (armedAt), and moved only when an earlier one
// comes. A push refreshed before its ttl ran out, the common case, moves
// its expiry later and leaves the timer alone; one that fires early finds
// nothing due and arms again.
type httpTimer struct {
	heap    expiries
	byJID   map[string]*expiry
	timer   *time.Timer
	armedAt time.Time
}

func (d *Directory) scheduleLocked(jid string, at time.Time) {
	if d.shared != nil {
		return // the shared store keeps the deadlines: ExpireHTTP
	}
	t := &d.expiry
	if t.byJID == nil {
		t.byJID = make(map[string]*expiry)
	}
	if e := t.byJID[jid]; e != nil {
		e.at = at
		heap.Fix(&t.heap, e.index)
	} else {
		e = &expiry{at: at, jid: jid}
		heap.Push(&t.heap, e)
		t.byJID[jid] = e
	}
	if t.timer == nil || at.Before(t.armedAt) {
		d.rearmLocked()
	}
}

func (d *Directory) unscheduleLocked(jid string) {
	t := &d.expiry
	if e := t.byJID[jid]; e != nil {
		heap.Remove(&t.heap, e.index)
		delete(t.byJID, jid)
		if len(t.heap) == 0 {
			d.rearmLocked() // stops it
		}
	}
}

func (d *Directory) rearmLocked() {
	t := &d.expiry
	if t.timer != nil {
		t.timer.Stop()
		t.timer = nil
	}
	if len(t.heap) == 0 || d.closed {
		return
	}
	t.armedAt = t.heap[0].at
	t.timer = time.AfterFunc(max(t.armedAt.Sub(d.now()), 0), d.expireDue)
}

// expireDue turns every due http source offline and re-arms the timer.
func (d *Directory) expireDue() {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.closed {
		return
	}
	now := d.now()
	t := &d.expiry
	for len(t.heap) > 0 && !t.heap[0].at.After(now) {
		e := heap.Pop(&t.heap).(*expiry)
		delete(t.byJID, e.jid)
		// A push whose refresh is being saved has a later expiry: that
		// save schedules it again.
		if st := d.jids[e.jid]; st != nil && st.rec.HTTP != nil && !st.rec.HTTP.Expires.After(now) {
			st.rec.HTTP = expiredHTTP(st.rec.HTTP, now)
			d.refreshLocked(st, true)
		}
	}
	d.rearmLocked()
}

// expiredHTTP is h once its ttl ran out at now: offline; a source that was
// offline already keeps its time of change.
func expiredHTTP(h *HTTPState, now time.Time) *HTTPState {
	changed := now
	if h.Status == Offline {
		changed = h.Changed
	}
	return &HTTPState{Status: Offline, Changed: changed}
}

// httpDue reports whether the http source of r has a ttl that ran out by now.
func httpDue(r Record, now time.Time) bool {
	return r.HTTP != nil && !r.HTTP.Expires.IsZero() && !r.HTTP.Expires.After(now)
}

// ExpireHTTP turns the http source of jid offline if its ttl ran out: with
// a shared store, whichever replica claims a due deadline calls it, and the
// store's version check makes a second attempt find nothing to do. A JID
// this replica does not know as due is left for a later attempt.
func (d *Directory) ExpireHTTP(jid string) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	now := d.now()
	st := d.jids[jid]
	if d.closed || st == nil || !httpDue(st.rec, now) {
		return nil
	}
	st.rec.HTTP = expiredHTTP(st.rec.HTTP, now)
	if d.shared == nil {
		d.unscheduleLocked(jid)
		d.refreshLocked(st, true)
		return nil
	}
	return d.commitSharedLocked(st, sharedWrite{redo: func(r *Record) bool {
		if !httpDue(*r, now) {
			return false
		}
		r.HTTP = expiredHTTP(r.HTTP, now)
		return true
	}})
}
