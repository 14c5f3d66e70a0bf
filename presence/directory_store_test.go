package presence

import (
	"errors"
	"maps"
	"slices"
	"sync"
	"testing"
	"time"
)

// memStore is a Store in memory. Setting fail makes Save and Delete fail.
type memStore struct {
	mu    sync.Mutex
	recs  map[string]Record
	fail  error
	saves int
}

func newMemStore(recs ...Record) *memStore {
	s := &memStore{recs: make(map[string]Record)}
	for _, r := range recs {
		s.recs[r.JID] = r
	}
	return s
}

func (s *memStore) Records() ([]Record, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.fail != nil {
		return nil, s.fail
	}
	return slices.Collect(maps.Values(s.recs)), nil
}

func (s *memStore) Save(r Record) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.fail != nil {
		return s.fail
	}
	if r.HTTP != nil {
		h := *r.HTTP
		r.HTTP = &h
	}
	s.recs[r.JID] = r
	s.saves++
	return nil
}

func (s *memStore) Delete(jid string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.fail != nil {
		return s.fail
	}
	delete(s.recs, jid)
	return nil
}

func (s *memStore) get(jid string) (Record, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	r, ok := s.recs[jid]
	return r, ok
}

func (s *memStore) setFail(err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.fail = err
}

// TestDirectoryRestart: NewDirectory serves what the store kept.
func TestDirectoryRestart(t *testing.T) {
	seen := t0.Add(-time.Hour)
	store := newMemStore(
		Record{JID: "alice@example.com", Subscribed: true, LastSeen: seen},
		Record{JID: "bob@example.com", HTTP: &HTTPState{Status: DND, Message: "call", Changed: seen, Expires: time.Now().Add(time.Hour)}},
		Record{JID: "carol@example.com", Subscribed: true, OptedOut: true, LastSeen: seen},
	)
	f := newFixture(t, store, DirectoryOptions{ShowMessages: true})
	if p := f.dir.Get("alice@example.com"); p.Status != Offline || !p.LastSeen.Equal(seen) {
		t.Errorf("alice: %+v", p)
	}
	if p := f.dir.Get("bob@example.com"); p.Status != DND || p.Message != "call" {
		t.Errorf("bob: %+v", p)
	}
	if p := f.dir.Get("carol@example.com"); p.Status != Unknown || !p.LastSeen.IsZero() {
		t.Errorf("carol: %+v", p)
	}
	if st := f.dir.Stats(); st.Visible != 2 || st.Connected || st.Stale {
		t.Errorf("Stats = %+v", st)
	}

	bad := newMemStore()
	bad.setFail(errors.New("disk gone"))
	if _, err := NewDirectory(NewMemHub(), bad, DirectoryOptions{}); err == nil {
		t.Error("NewDirectory ignored a failing store")
	}
}
