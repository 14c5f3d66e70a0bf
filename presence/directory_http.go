package presence

import (
	"container/heap"
	"fmt"
	"time"
)

// DefaultTTL is how long http-source presence lasts without a refresh.
const DefaultTTL = 120 * time.Second

// SetHTTP records presence pushed over HTTP. It returns once the record is
// durably stored; ttl <= 0 means DefaultTTL.
func (d *Directory) SetHTTP(jid string, s Status, message string, ttl time.Duration) (Presence, error) {
	if ttl <= 0 {
		ttl = DefaultTTL
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	now := d.now()
	st := d.state(jid)
	prev := st.rec.HTTP
	h := &HTTPState{Status: s, Message: CleanMessage(message), Changed: now, Expires: now.Add(ttl)}
	if prev != nil && prev.Status == h.Status && prev.Message == h.Message {
		h.Changed = prev.Changed // a refresh is not a change
	}
	lastSeen := st.rec.LastSeen
	st.rec.HTTP = h
	d.publishLocked(st)
	if err := d.store.Save(st.rec); err != nil {
		d.undoLocked(st, prev, lastSeen)
		return Presence{}, fmt.Errorf("presence: save %s: %w", jid, err)
	}
	d.scheduleLocked(jid, h.Expires)
	return st.cur, nil
}

// ClearHTTP sets the http source of jid offline now.
func (d *Directory) ClearHTTP(jid string) (Presence, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	st := d.jids[jid]
	if st == nil || st.rec.HTTP == nil {
		return d.getLocked(jid), nil
	}
	prev, lastSeen := st.rec.HTTP, st.rec.LastSeen
	if err := d.expireLocked(st); err != nil {
		d.undoLocked(st, prev, lastSeen)
		return Presence{}, err
	}
	return st.cur, nil
}

// undoLocked puts back the http source of st as it was before a change that
// could not be stored. What is not stored is not done: readers must keep
// seeing what the client was told still holds.
func (d *Directory) undoLocked(st *jidState, prev *HTTPState, lastSeen time.Time) {
	st.rec.HTTP, st.rec.LastSeen = prev, lastSeen
	if prev != nil && !prev.Expires.IsZero() {
		d.scheduleLocked(st.rec.JID, prev.Expires)
	}
	d.publishLocked(st)
}

func (d *Directory) getLocked(jid string) Presence {
	if st := d.jids[jid]; st != nil && st.cur.Status != "" {
		return st.cur
	}
	return UnknownPresence(jid)
}

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

// expireLocked turns the http source of st offline now and saves it. A
// source that was already offline keeps its time of change: running out
// changes nothing a reader sees but the message.
func (d *Directory) expireLocked(st *jidState) error {
	prev := st.rec.HTTP
	if prev.Status == Offline && prev.Expires.IsZero() {
		return nil
	}
	changed := d.now()
	if prev.Status == Offline {
		changed = prev.Changed
	}
	st.rec.HTTP = &HTTPState{Status: Offline, Changed: changed}
	d.unscheduleLocked(st.rec.JID)
	d.publishLocked(st)
	if err := d.store.Save(st.rec); err != nil {
		return fmt.Errorf("presence: save %s: %w", st.rec.JID, err)
	}
	return nil
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

// httpTimer holds the expiry heap and its single timer; guarded by Directory.mu.
type httpTimer struct {
	heap  expiries
	byJID map[string]*expiry
	timer *time.Timer
}

func (d *Directory) scheduleLocked(jid string, at time.Time) {
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
	d.rearmLocked()
}

func (d *Directory) unscheduleLocked(jid string) {
	t := &d.expiry
	if e := t.byJID[jid]; e != nil {
		heap.Remove(&t.heap, e.index)
		delete(t.byJID, jid)
		d.rearmLocked()
	}
}

func (d *Directory) rearmLocked() {
	t := &d.expiry
	if t.timer != nil {
		t.timer.Stop()
		t.timer = nil
	}
	if len(t.heap) == 0 {
		return
	}
	wait := t.heap[0].at.Sub(d.now())
	t.timer = time.AfterFunc(max(wait, 0), d.expireDue)
}

// expireDue turns every due http source offline and re-arms the timer.
func (d *Directory) expireDue() {
	d.mu.Lock()
	defer d.mu.Unlock()
	now := d.now()
	t := &d.expiry
	for len(t.heap) > 0 && !t.heap[0].at.After(now) {
		e := heap.Pop(&t.heap).(*expiry)
		delete(t.byJID, e.jid)
		if st := d.jids[e.jid]; st != nil && st.rec.HTTP != nil {
			_ = d.expireLocked(st) // kept in memory; saved again with the next change
		}
	}
	d.rearmLocked()
}
