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

func (s *memStore) saveCount() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.saves
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
		Record{JID: "bob@example.com", HTTP: &HTTPState{Status: DND, Message: "call", Changed: seen, Expires: t0.Add(time.Hour)}},
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

// TestDirectorySaveErrors: when the store cannot save, a write fails with the
// store's error and changes nothing: not the memory, not the hub.
func TestDirectorySaveErrors(t *testing.T) {
	diskFull := errors.New("disk full")
	const jid = "alice@example.com"
	tests := []struct {
		name  string
		setup func(f *fixture)
		write func(f *fixture) error
	}{
		{"SetHTTP, new JID", func(*fixture) {}, func(f *fixture) error {
			_, err := f.dir.SetHTTP(jid, Away, "x", time.Hour)
			return err
		}},
		{"SetHTTP, going offline", func(f *fixture) {
			_, err := f.dir.SetHTTP(jid, Away, "x", time.Hour)
			mustOK(f.t, err)
		}, func(f *fixture) error {
			_, err := f.dir.SetHTTP(jid, Offline, "", time.Hour)
			return err
		}},
		{"ClearHTTP", func(f *fixture) {
			_, err := f.dir.SetHTTP(jid, Away, "x", time.Hour)
			mustOK(f.t, err)
		}, func(f *fixture) error {
			_, err := f.dir.ClearHTTP(jid)
			return err
		}},
		{"SetChoice", func(f *fixture) {
			f.subscribe(jid, Resource{Status: Away, Message: "x"})
		}, func(f *fixture) error { return f.dir.SetChoice(jid, true, FieldSet(FieldMessage)) }},
		{"SetRosterItem", func(*fixture) {}, func(f *fixture) error {
			return f.dir.SetRosterItem(jid, RosterItem{Subscribed: true})
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			store := newMemStore()
			f := newFixture(t, store, DirectoryOptions{ShowMessages: true})
			tt.setup(f)
			s := f.follow(jid)
			before := f.body(jid)
			rec, had := f.dir.Record(jid)
			stored, _ := store.get(jid)
			expiries := len(f.dir.expiry.heap)

			f.clock.Add(time.Minute)
			store.setFail(diskFull)
			if err := tt.write(f); !errors.Is(err, diskFull) {
				t.Fatalf("error %v, want the store's", err)
			}
			if got := f.body(jid); got != before {
				t.Errorf("served %s\nwant %s", got, before)
			}
			quiet(t, s)
			if r, ok := f.dir.Record(jid); ok != had || !equalRecords(r, rec) {
				t.Errorf("record %+v (%v), want %+v (%v)", r, ok, rec, had)
			}
			if n := len(f.dir.expiry.heap); n != expiries {
				t.Errorf("%d expiries, want %d", n, expiries)
			}
			store.setFail(nil)
			if r, _ := store.get(jid); !equalRecords(r, stored) {
				t.Errorf("store changed: %+v", r)
			}
			// The same write succeeds once the store is back.
			if err := tt.write(f); err != nil {
				t.Errorf("retry: %v", err)
			}
		})
	}
}

func equalRecords(a, b Record) bool {
	if (a.HTTP == nil) != (b.HTTP == nil) || a.HTTP != nil && *a.HTTP != *b.HTTP {
		return false
	}
	a.HTTP, b.HTTP = nil, nil
	return a.JID == b.JID && a.Subscribed == b.Subscribed && a.OptedOut == b.OptedOut &&
		a.HideMessage == b.HideMessage && a.LastSeen.Equal(b.LastSeen)
}
