package presence

import (
	"testing"
	"time"
)

func TestDirectorySetHTTP(t *testing.T) {
	store := newMemStore()
	f := newFixture(t, store, DirectoryOptions{ShowMessages: true})
	const jid = "alice@example.com"
	e, err := f.dir.SetHTTP(jid, Away, " lunch\n", 0)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"jid":"alice@example.com","status":"away","state":"away","message":"lunch","since":"2026-11-21T10:00:00Z","last_seen":null,"sources":{"http":"away"}}`
	if string(e.JSON) != want || f.body(jid) != want {
		t.Errorf("SetHTTP = %s\nwant %s", e.JSON, want)
	}
	r, ok := store.get(jid)
	if !ok || r.HTTP == nil || r.HTTP.Status != Away || !r.HTTP.Expires.Equal(t0.Add(DefaultTTL)) {
		t.Fatalf("stored %+v", r)
	}

	// A refresh is not a change: since and the source's time stay.
	f.clock.Add(time.Minute)
	if _, err := f.dir.SetHTTP(jid, Away, "lunch", time.Hour); err != nil {
		t.Fatal(err)
	}
	r, _ = store.get(jid)
	if !r.HTTP.Changed.Equal(t0) || !r.HTTP.Expires.Equal(t0.Add(time.Minute+time.Hour)) || f.body(jid) != want {
		t.Errorf("after refresh: stored %+v, served %s", r.HTTP, f.body(jid))
	}

	// DELETE: offline now, last_seen set, nothing left to expire.
	off := f.clock.Add(time.Minute)
	e, err = f.dir.ClearHTTP(jid)
	if err != nil {
		t.Fatal(err)
	}
	if p := e.Presence; p.Status != Offline || !p.LastSeen.Equal(off) || p.Message != "" {
		t.Errorf("ClearHTTP = %+v", p)
	}
	if r, _ := store.get(jid); r.HTTP.Status != Offline || !r.LastSeen.Equal(off) {
		t.Errorf("stored after ClearHTTP: %+v", r)
	}
	if n := len(f.dir.expiry.heap); n != 0 {
		t.Errorf("%d expiries left", n)
	}
	// Clearing what nobody pushed changes nothing and reveals nothing.
	if e, err := f.dir.ClearHTTP("bob@example.com"); err != nil || e.Presence.Status != Unknown {
		t.Errorf("ClearHTTP(unknown) = %+v, %v", e, err)
	}
	if _, ok := f.dir.Record("bob@example.com"); ok {
		t.Error("ClearHTTP created a record")
	}
}

// TestDirectoryHTTPExpiry: without a refresh within ttl the http source goes
// offline by itself, and that is saved.
func TestDirectoryHTTPExpiry(t *testing.T) {
	store := newMemStore()
	f := newFixture(t, store, DirectoryOptions{ShowMessages: true, Now: time.Now})
	s := f.follow("alice@example.com")
	if _, err := f.dir.SetHTTP("bob@example.com", DND, "", time.Hour); err != nil {
		t.Fatal(err)
	}
	if _, err := f.dir.SetHTTP("alice@example.com", Away, "brb", 20*time.Millisecond); err != nil {
		t.Fatal(err)
	}
	awaitStatus(t, s, Away)
	e := awaitStatus(t, s, Offline)
	if e.Presence.LastSeen.IsZero() || e.Presence.Sources[SourceHTTP] != Offline {
		t.Errorf("expired: %s", e.JSON)
	}
	if r, _ := store.get("alice@example.com"); r.HTTP == nil || r.HTTP.Status != Offline || r.LastSeen.IsZero() {
		t.Errorf("stored after expiry: %+v", r)
	}
	if p := f.dir.Get("bob@example.com"); p.Status != DND {
		t.Errorf("bob expired too: %+v", p)
	}

	// A refresh with a shorter ttl brings the expiry forward.
	if _, err := f.dir.SetHTTP("bob@example.com", DND, "", 20*time.Millisecond); err != nil {
		t.Fatal(err)
	}
	awaitStatus(t, f.follow("bob@example.com"), Offline)
	if n := len(f.dir.expiry.heap); n != 0 {
		t.Errorf("%d expiries left", n)
	}
}

// TestDirectoryHTTPRestartExpiry: http presence stored with an expiry that
// passed while the server was down goes offline at start.
func TestDirectoryHTTPRestartExpiry(t *testing.T) {
	past := time.Now().Add(-time.Minute)
	store := newMemStore(Record{JID: "alice@example.com",
		HTTP: &HTTPState{Status: Away, Changed: past.Add(-time.Minute), Expires: past}})
	hub := NewMemHub()
	s := newSub(hub)
	defer s.Close()
	if err := s.Add(0, JIDTopic("alice@example.com")); err != nil {
		t.Fatal(err)
	}
	d, err := NewDirectory(hub, store, DirectoryOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	awaitStatus(t, s, Offline)
}

// TestDirectoryHTTPRefreshOutlivesTheTimer: a refresh with a longer ttl
// leaves the timer armed for the earlier expiry; when it fires, nothing is
// due, the push stays and the timer is armed for the new expiry.
func TestDirectoryHTTPRefreshOutlivesTheTimer(t *testing.T) {
	f := newFixture(t, newMemStore(), DirectoryOptions{ShowMessages: true, Now: time.Now})
	const jid = "alice@example.com"
	if _, err := f.dir.SetHTTP(jid, Away, "", 30*time.Millisecond); err != nil {
		t.Fatal(err)
	}
	e, err := f.dir.SetHTTP(jid, Away, "", time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	r, _ := f.dir.Record(jid)
	waitFor(t, func() bool {
		f.dir.mu.Lock()
		defer f.dir.mu.Unlock()
		return f.dir.expiry.armedAt.Equal(r.HTTP.Expires)
	})
	if p := f.dir.Get(jid); p.Status != Away || !p.Since.Equal(e.Presence.Since) {
		t.Errorf("after the early timer: %+v", p)
	}
	// A later expiry leaves the timer as it is; an earlier one moves it.
	timer := func() *time.Timer {
		f.dir.mu.Lock()
		defer f.dir.mu.Unlock()
		return f.dir.expiry.timer
	}
	armed := timer()
	if _, err := f.dir.SetHTTP(jid, Away, "", 2*time.Hour); err != nil {
		t.Fatal(err)
	}
	if timer() != armed {
		t.Error("a refresh to a later expiry re-armed the timer")
	}
	if _, err := f.dir.SetHTTP("bob@example.com", Away, "", time.Minute); err != nil {
		t.Fatal(err)
	}
	if timer() == armed {
		t.Error("an earlier expiry left the timer armed for the later one")
	}
}
