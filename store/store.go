// Package store keeps presence records across restarts in an embedded bbolt
// database: one file, badges.db, in the data directory.
//
// Layout: bucket "records" maps a bare JID to the JSON of its presence.Record;
// bucket "meta" holds "version", the format version of those values, so that a
// later format can be migrated rather than misread.
package store

import (
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"time"

	"go.etcd.io/bbolt"
	bolterrors "go.etcd.io/bbolt/errors"

	"badges/presence"
)

// fileName is the name of the database file inside the data directory.
const fileName = "badges.db"

// formatVersion is the version of the record encoding this code writes and
// reads. Raise it, with a migration in Open, whenever the encoding changes.
const formatVersion = 1

// lockTimeout bounds how long Open waits for the file lock. bbolt allows one
// writer process per file; without a bound a second badges started on the same
// data directory would hang silently instead of saying why it cannot start.
const lockTimeout = time.Second

var (
	recordsBucket = []byte("records")
	metaBucket    = []byte("meta")
	versionKey    = []byte("version")
)

// ErrLocked reports that another process holds the database open.
var ErrLocked = errors.New("locked by another process")

// ErrClosed reports a write to a Store that was closed.
var ErrClosed = errors.New("store closed")

// Store is a presence.Store backed by a bbolt file. It is safe for concurrent
// use: each Write is one transaction, synced to disk before Write returns.
// Batching concurrent changes into one Write is the caller's part: the
// presence.Directory commits every change queued while the previous commit
// was on its way to disk in one (docs/DESIGN.md, "Durable writes").
type Store struct {
	db   *bbolt.DB
	path string

	// mu guards closed; a Write holds it for reading until its
	// transaction is done, so that Close waits for it.
	mu     sync.RWMutex
	closed bool
}

var _ presence.Store = (*Store)(nil)

// Open creates dir (mode 0700) if needed and opens, or creates, the database
// file in it. It fails with an error wrapping ErrLocked when another process
// has the file open, and when the file was written by a newer format.
func Open(dir string) (*Store, error) {
	// 0700: the records say who opted in and when they were last seen.
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("store: create %s: %w", dir, err)
	}
	path := filepath.Join(dir, fileName)
	// No free list in the file: each commit writes one page fewer, and
	// opening rebuilds the list by scanning (docs/DESIGN.md, "Durable
	// writes"). Files written with one open the same way.
	db, err := bbolt.Open(path, 0o600, &bbolt.Options{Timeout: lockTimeout,
		NoFreelistSync: true, FreelistType: bbolt.FreelistMapType})
	if errors.Is(err, bolterrors.ErrTimeout) {
		return nil, fmt.Errorf("store: open %s: %w (gave up after %s)", path, ErrLocked, lockTimeout)
	}
	if err != nil {
		return nil, fmt.Errorf("store: open %s: %w", path, err)
	}
	if err := db.Update(initSchema); err != nil {
		_ = db.Close() // the schema error is the one worth reporting
		return nil, fmt.Errorf("store: open %s: %w", path, err)
	}
	return &Store{db: db, path: path}, nil
}

// initSchema creates the buckets of a new file and checks the format version
// of an existing one.
func initSchema(tx *bbolt.Tx) error {
	meta, err := tx.CreateBucketIfNotExists(metaBucket)
	if err != nil {
		return fmt.Errorf("create meta bucket: %w", err)
	}
	if _, err := tx.CreateBucketIfNotExists(recordsBucket); err != nil {
		return fmt.Errorf("create records bucket: %w", err)
	}
	raw := meta.Get(versionKey)
	if raw == nil {
		return meta.Put(versionKey, []byte(strconv.Itoa(formatVersion)))
	}
	v, err := strconv.Atoi(string(raw))
	if err != nil {
		return fmt.Errorf("bad format version %q", raw)
	}
	if v != formatVersion {
		return fmt.Errorf("format version %d, this build reads version %d", v, formatVersion)
	}
	return nil
}

// Close waits for the writes under way, then releases the file and its
// lock. Writes after Close fail with ErrClosed.
func (s *Store) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return nil
	}
	s.closed = true
	if err := s.db.Close(); err != nil {
		return fmt.Errorf("store: close %s: %w", s.path, err)
	}
	return nil
}

// Write stores each record given, or deletes it, in one transaction, in
// order (so the last write of a JID wins), and returns once that is on
// disk: nil when every write is stored, or else each write's error. A
// write that cannot be encoded, or that bbolt refuses (an oversized value,
// say), fails alone.
func (s *Store) Write(batch []presence.Write) []error {
	var errs []error // made at the first failure
	fail := func(i int, err error) {
		if errs == nil {
			errs = make([]error, len(batch))
		}
		what := "save"
		if batch[i].Delete {
			what = "delete"
		}
		errs[i] = fmt.Errorf("store: %s %q: %w", what, batch[i].Record.JID, err)
	}
	// Every value is encoded into one buffer: ends[i] is where value i ends.
	buf := make([]byte, 0, 256*len(batch))
	ends := make([]int, len(batch))
	for i, w := range batch {
		switch {
		case w.Delete:
		case w.Record.JID == "":
			fail(i, errors.New("record has no JID"))
		default:
			if v, err := w.Record.AppendJSON(buf); err != nil {
				fail(i, err) // buf stays as it was: the values before stand
			} else {
				buf = v
			}
		}
		ends[i] = len(buf)
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	if s.closed {
		for i := range batch {
			fail(i, ErrClosed)
		}
		return errs
	}
	err := s.db.Update(func(tx *bbolt.Tx) error {
		b := tx.Bucket(recordsBucket)
		start := 0
		for i, w := range batch {
			val := buf[start:ends[i]:ends[i]]
			start = ends[i]
			var err error
			switch {
			case errs != nil && errs[i] != nil:
				continue
			case w.Delete:
				err = b.Delete([]byte(w.Record.JID))
			default:
				err = b.Put([]byte(w.Record.JID), val)
			}
			if err != nil {
				fail(i, err)
			}
		}
		return nil
	})
	if err != nil {
		for i := range batch {
			if errs == nil || errs[i] == nil {
				fail(i, fmt.Errorf("commit: %w", err))
			}
		}
	}
	return errs
}

// Records returns every stored record, ordered by JID (bbolt's byte order).
//
// A value that does not decode, or whose JID differs from its key, is skipped
// and reported with slog.Default at warning level: one damaged record must not
// keep every other JID from being served after a restart. The skipped value is
// left in the file, to be replaced by the next Save of that JID.
func (s *Store) Records() ([]presence.Record, error) {
	var recs []presence.Record
	err := s.db.View(func(tx *bbolt.Tx) error {
		return tx.Bucket(recordsBucket).ForEach(func(k, v []byte) error {
			var r presence.Record
			if err := json.Unmarshal(v, &r); err != nil {
				slog.Warn("store: skipping corrupt record", "path", s.path, "key", string(k), "err", err)
				return nil
			}
			if r.JID != string(k) {
				slog.Warn("store: skipping corrupt record", "path", s.path, "key", string(k),
					"err", fmt.Sprintf("record names JID %q", r.JID))
				return nil
			}
			recs = append(recs, r)
			return nil
		})
	})
	if err != nil {
		return nil, fmt.Errorf("store: read %s: %w", s.path, err)
	}
	return recs, nil
}
