package store

import (
	"errors"
	"fmt"

	"go.etcd.io/bbolt"
)

// ErrClosed reports a write to a Store that was closed.
var ErrClosed = errors.New("store closed")

// write is one Save or Delete waiting for the commit that covers it.
type write struct {
	key  []byte
	val  []byte // nil: delete key
	done chan error
}

// apply queues w for the next commit and waits until that commit is on disk.
//
// Group commit (docs/DESIGN.md): one goroutine, the committer, writes
// whatever has queued up while the previous commit was syncing in one bbolt
// transaction, so concurrent writers share one transaction and its fsyncs.
// Nothing waits on a timer: a lone writer is committed at once, and under load
// a commit takes everything that queued during the one before it.
func (s *Store) apply(w write) error {
	w.done = make(chan error, 1)
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return ErrClosed
	}
	s.queue = append(s.queue, w)
	if len(s.queue) == 1 {
		select {
		case s.kick <- struct{}{}:
		default: // the committer is already due to look
		}
	}
	s.mu.Unlock()
	return <-w.done
}

// commitLoop is the committer. It ends once Close has marked the store closed
// and everything queued before that is committed.
func (s *Store) commitLoop() {
	defer close(s.stopped)
	var batch []write
	for {
		s.mu.Lock()
		for len(s.queue) == 0 && !s.closed {
			s.mu.Unlock()
			<-s.kick
			s.mu.Lock()
		}
		if len(s.queue) == 0 { // closed, and nothing left
			s.mu.Unlock()
			return
		}
		// Swap the buffers, so that the queue keeps its capacity.
		batch, s.queue = s.queue, batch[:0]
		s.inCommit = len(batch)
		s.mu.Unlock()
		s.commit(batch)
		clear(batch) // drop the values for the collector
		s.mu.Lock()
		s.inCommit = 0
		s.commits++
		s.mu.Unlock()
	}
}

// commit writes batch in one transaction, in queue order (so the last write
// of a key wins), and answers every write once it is on disk or failed. A
// write that bbolt refuses (an oversized value, say) fails alone.
func (s *Store) commit(batch []write) {
	errs := make([]error, len(batch))
	err := s.db.Update(func(tx *bbolt.Tx) error {
		b := tx.Bucket(recordsBucket)
		for i, w := range batch {
			if w.val == nil {
				errs[i] = b.Delete(w.key)
			} else {
				errs[i] = b.Put(w.key, w.val)
			}
		}
		return nil
	})
	for i, w := range batch {
		if err != nil {
			errs[i] = fmt.Errorf("commit: %w", err)
		}
		w.done <- errs[i]
	}
}
