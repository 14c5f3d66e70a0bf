package store

import (
	"bytes"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"go.etcd.io/bbolt"

	"badges/presence"
)

func openT(t *testing.T, dir string) *Store {
	t.Helper()
	s, err := Open(dir)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return s
}

// sample returns a record with every field set, in UTC and without a monotonic
// clock reading so that it compares equal after a JSON round trip.
func sample(jid string, i int) presence.Record {
	base := time.Date(2026, 11, 21, 10, 0, 0, 0, time.UTC).Add(time.Duration(i) * time.Second)
	return presence.Record{
		JID:         jid,
		Subscribed:  true,
		OptedOut:    i%2 == 0,
		HideMessage: i%3 == 0,
		LastSeen:    base,
		HTTP: &presence.HTTPState{
			Status:  presence.DND,
			Message: fmt.Sprintf("meeting %d", i),
			Changed: base,
			Expires: base.Add(2 * time.Minute),
		},
	}
}

func TestRoundTrip(t *testing.T) {
	s := openT(t, t.TempDir())
	want := []presence.Record{
		sample("alice@example.com", 1),
		{JID: "bob@example.com", Subscribed: true},
		sample("example.org", 2),
	}
	// Saved out of order: Records must come back sorted by JID.
	for _, i := range []int{2, 0, 1} {
		if err := s.Save(want[i]); err != nil {
			t.Fatalf("Save(%s): %v", want[i].JID, err)
		}
	}
	got, err := s.Records()
	if err != nil {
		t.Fatalf("Records: %v", err)
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("Records:\n got %+v\nwant %+v", got, want)
	}
}

func TestSaveReplaces(t *testing.T) {
	s := openT(t, t.TempDir())
	if err := s.Save(sample("alice@example.com", 1)); err != nil {
		t.Fatal(err)
	}
	later := presence.Record{JID: "alice@example.com", HideMessage: true}
	if err := s.Save(later); err != nil {
		t.Fatal(err)
	}
	got, err := s.Records()
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, []presence.Record{later}) {
		t.Fatalf("Records = %+v, want only %+v", got, later)
	}
}

func TestSaveWithoutJID(t *testing.T) {
	s := openT(t, t.TempDir())
	if err := s.Save(presence.Record{Subscribed: true}); err == nil {
		t.Fatal("Save of a record without JID succeeded")
	}
}

func TestDelete(t *testing.T) {
	s := openT(t, t.TempDir())
	for _, j := range []string{"alice@example.com", "bob@example.com"} {
		if err := s.Save(sample(j, 1)); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.Delete("alice@example.com"); err != nil {
		t.Fatalf("Delete: %v", err)
	}
	if err := s.Delete("nobody@example.com"); err != nil {
		t.Fatalf("Delete of an absent JID: %v", err)
	}
	got, err := s.Records()
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || got[0].JID != "bob@example.com" {
		t.Fatalf("Records after Delete = %+v, want only bob@example.com", got)
	}
}

func TestReopenKeepsData(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "nested", "data")
	s, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	want := sample("alice@example.com", 7)
	if err := s.Save(want); err != nil {
		t.Fatal(err)
	}
	if err := s.Save(sample("gone@example.com", 1)); err != nil {
		t.Fatal(err)
	}
	if err := s.Delete("gone@example.com"); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	fi, err := os.Stat(dir)
	if err != nil {
		t.Fatal(err)
	}
	if perm := fi.Mode().Perm(); perm != 0o700 {
		t.Errorf("data directory mode = %o, want 700", perm)
	}

	got, err := openT(t, dir).Records()
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, []presence.Record{want}) {
		t.Fatalf("after reopen Records = %+v, want %+v", got, want)
	}
}

func TestConcurrentSaves(t *testing.T) {
	s := openT(t, t.TempDir())
	const writers, each = 8, 20
	var wg sync.WaitGroup
	errs := make(chan error, writers*each)
	for w := range writers {
		wg.Go(func() {
			for i := range each {
				if err := s.Save(sample(fmt.Sprintf("u%d-%d@example.com", w, i), i)); err != nil {
					errs <- err
				}
				if _, err := s.Records(); err != nil {
					errs <- err
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	got, err := s.Records()
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != writers*each {
		t.Fatalf("got %d records, want %d", len(got), writers*each)
	}
}

func TestOpenLocked(t *testing.T) {
	dir := t.TempDir()
	openT(t, dir)
	start := time.Now()
	s, err := Open(dir)
	if err == nil {
		_ = s.Close()
		t.Fatal("second Open of the same directory succeeded")
	}
	if !errors.Is(err, ErrLocked) {
		t.Fatalf("second Open: %v, want an error wrapping ErrLocked", err)
	}
	if !strings.Contains(err.Error(), filepath.Join(dir, fileName)) {
		t.Errorf("error %q does not name the file", err)
	}
	if waited := time.Since(start); waited > 10*lockTimeout {
		t.Errorf("second Open took %s, want about %s", waited, lockTimeout)
	}
}

// rawUpdate changes the file behind the store's back, as a damaged disk or a
// newer program would.
func rawUpdate(t *testing.T, dir string, fn func(tx *bbolt.Tx) error) {
	t.Helper()
	db, err := bbolt.Open(filepath.Join(dir, fileName), 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := db.Update(fn); err != nil {
		t.Fatal(err)
	}
}

func TestNewerFormatRefused(t *testing.T) {
	dir := t.TempDir()
	s := openT(t, dir)
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	rawUpdate(t, dir, func(tx *bbolt.Tx) error {
		return tx.Bucket(metaBucket).Put(versionKey, []byte("99"))
	})
	if s, err := Open(dir); err == nil {
		_ = s.Close()
		t.Fatal("Open of a newer format succeeded")
	} else if !strings.Contains(err.Error(), "format version 99") {
		t.Fatalf("Open: %v, want it to name format version 99", err)
	}
}

func TestCorruptRecordsSkipped(t *testing.T) {
	dir := t.TempDir()
	s := openT(t, dir)
	good := sample("bob@example.com", 1)
	if err := s.Save(good); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	rawUpdate(t, dir, func(tx *bbolt.Tx) error {
		b := tx.Bucket(recordsBucket)
		if err := b.Put([]byte("alice@example.com"), []byte("{not json")); err != nil {
			return err
		}
		return b.Put([]byte("carol@example.com"), []byte(`{"jid":"mallory@example.com"}`))
	})

	var logs bytes.Buffer
	old := slog.Default()
	slog.SetDefault(slog.New(slog.NewTextHandler(&logs, nil)))
	t.Cleanup(func() { slog.SetDefault(old) })

	got, err := openT(t, dir).Records()
	if err != nil {
		t.Fatalf("Records: %v", err)
	}
	if !reflect.DeepEqual(got, []presence.Record{good}) {
		t.Fatalf("Records = %+v, want only %+v", got, good)
	}
	for _, key := range []string{"alice@example.com", "carol@example.com"} {
		if !strings.Contains(logs.String(), "key="+key) {
			t.Errorf("log does not name corrupt key %s:\n%s", key, logs.String())
		}
	}
}

// TestConcurrentSavesShareCommits: saves that arrive while a commit is under
// way share the next one, and each returns only once its own is on disk.
func TestConcurrentSavesShareCommits(t *testing.T) {
	dir := t.TempDir()
	s := openT(t, dir)
	// Hold bbolt's writer lock, so that the committer blocks in its first
	// transaction while the saves queue up.
	tx, err := s.db.Begin(true)
	if err != nil {
		t.Fatal(err)
	}
	const n = 64
	errs := make(chan error, n)
	for i := range n {
		go func() { errs <- s.Save(sample(helperJID(i), i)) }()
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		s.mu.Lock()
		queued := len(s.queue) + s.inCommit
		s.mu.Unlock()
		if queued == n {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d of %d saves queued", queued, n)
		}
		time.Sleep(time.Millisecond)
	}
	select {
	case err := <-errs:
		t.Fatalf("a save returned before any commit: %v", err)
	default:
	}
	if err := tx.Rollback(); err != nil {
		t.Fatal(err)
	}
	for range n {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
	s.mu.Lock()
	commits := s.commits
	s.mu.Unlock()
	if commits > 2 {
		t.Errorf("%d saves took %d commits, want at most 2", n, commits)
	}
	recs, err := s.Records()
	if err != nil || len(recs) != n {
		t.Fatalf("Records = %d records, %v; want %d", len(recs), err, n)
	}
}

// TestClosedStoreRefusesWrites: after Close, writes fail at once.
func TestClosedStoreRefusesWrites(t *testing.T) {
	s, err := Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if err := s.Save(sample("alice@example.com", 1)); !errors.Is(err, ErrClosed) {
		t.Errorf("Save after Close = %v, want ErrClosed", err)
	}
	if err := s.Delete("alice@example.com"); !errors.Is(err, ErrClosed) {
		t.Errorf("Delete after Close = %v, want ErrClosed", err)
	}
	if err := s.Close(); err != nil {
		t.Errorf("second Close = %v", err)
	}
}
