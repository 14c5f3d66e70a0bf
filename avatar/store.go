package avatar

import (
	"fmt"
	"sync"

	"github.com/maypok86/otter/v2"
)

// Sizes served: /avatar/{jid}.png?size=MinSize..MaxSize.
const (
	MinSize     = 16
	MaxSize     = StoredSize
	DefaultSize = 128
)

// DefaultCacheBytes bounds the rendered PNGs (pictures and placeholders)
// a Store keeps unless told otherwise.
const DefaultCacheBytes = 16 << 20

// entryOverhead is what a cached PNG costs beyond its bytes: the cache's
// node, the key and the slice header.
const entryOverhead = 256

type sized struct {
	key         string // picture id, or JID for a placeholder
	placeholder bool
	size        int
}

// Store keeps the pictures of each contact, as Normalize made them, and
// caches what was rendered of them. A picture has an owner (a contact and
// where it came from: "alice@example.com pep"); pictures are shared by id
// between owners and dropped with the last, so the store holds at most one
// picture per owner. Safe for concurrent use.
type Store struct {
	mu      sync.Mutex
	byOwner map[string]string // owner -> id
	byID    map[string]*picture

	// rendered caches pictures and placeholders at the sizes asked, within
	// a budget of bytes (docs/API.md#errors-and-limits); size 0 is a
	// picture as the shared store gave it.
	rendered *otter.Cache[sized, []byte]

	shared Shared      // nil: pictures stay in this process
	report func(error) // told of the shared store's errors
}

// Shared keeps pictures for every replica (docs/DESIGN.md, Replicas on
// Redis): the replica holding the watcher puts each picture it decodes
// (Share), the others get it when they do not hold it.
type Shared interface {
	// Put keeps png, as Normalize made it, under its id.
	Put(id string, png []byte) error
	// Get returns picture id; nil and no error if it is not held.
	Get(id string) ([]byte, error)
}

// UseShared makes s share pictures through sh (Share) and get from it
// those it does not hold; report is told of sh's errors. Call it before
// use.
func (s *Store) UseShared(sh Shared, report func(error)) {
	s.shared, s.report = sh, report
}

type picture struct {
	png  []byte
	refs int
}

// NewStore returns an empty store whose rendered PNGs take at most
// cacheBytes (DefaultCacheBytes if not positive).
func NewStore(cacheBytes int64) *Store {
	if cacheBytes <= 0 {
		cacheBytes = DefaultCacheBytes
	}
	c := otter.Must(&otter.Options[sized, []byte]{
		MaximumWeight: uint64(cacheBytes),
		Weigher: func(k sized, b []byte) uint32 {
			return uint32(min(entryOverhead+len(k.key)+len(b), 1<<31))
		},
	})
	return &Store{byOwner: make(map[string]string), byID: make(map[string]*picture), rendered: c}
}

// Set makes the picture id (made by Normalize) owner's.
func (s *Store) Set(owner, id string, png []byte) {
	s.mu.Lock()
	if cur, ok := s.byOwner[owner]; ok && cur == id {
		s.mu.Unlock()
		return
	}
	s.removeLocked(owner)
	p := s.byID[id]
	if p == nil {
		p = &picture{png: png}
		s.byID[id] = p
	}
	p.refs++
	s.byOwner[owner] = id
	s.mu.Unlock()
}

// Share hands picture id to the shared store, for the other replicas; it
// does nothing without one. It waits for the shared store (Set itself
// makes no I/O), so the watcher calls it from its picture worker, never
// from its session's loop.
func (s *Store) Share(id string, png []byte) {
	if s.shared == nil {
		return
	}
	if err := s.shared.Put(id, png); err != nil {
		s.report(fmt.Errorf("avatar: share %s: %w", id, err))
	}
}

// Remove drops owner's picture.
func (s *Store) Remove(owner string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.removeLocked(owner)
}

func (s *Store) removeLocked(owner string) {
	id, ok := s.byOwner[owner]
	if !ok {
		return
	}
	delete(s.byOwner, owner)
	if p := s.byID[id]; p != nil {
		if p.refs--; p.refs <= 0 {
			delete(s.byID, id)
		}
	}
}

// Has reports whether the store holds picture id.
func (s *Store) Has(id string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.byID[id] != nil
}

// Image returns picture id at size pixels, false if the store does not
// hold it.
func (s *Store) Image(id string, size int) ([]byte, bool) {
	k := sized{key: id, size: size}
	if b, ok := s.rendered.GetIfPresent(k); ok {
		return b, true
	}
	s.mu.Lock()
	p := s.byID[id]
	s.mu.Unlock()
	var png []byte
	if p != nil {
		png = p.png
	} else if png = s.sharedPicture(id); png == nil {
		return nil, false
	}
	b, err := Resize(png, size)
	if err != nil { // Normalize made it: cannot happen but for a shared store's bytes
		return nil, false
	}
	s.rendered.Set(k, b)
	return b, true
}

// sharedPicture returns picture id from the shared store, cached; nil if
// there is none or it does not hold it.
func (s *Store) sharedPicture(id string) []byte {
	if s.shared == nil {
		return nil
	}
	k := sized{key: id}
	if b, ok := s.rendered.GetIfPresent(k); ok {
		return b
	}
	b, err := s.shared.Get(id)
	if err != nil {
		s.report(fmt.Errorf("avatar: get %s: %w", id, err))
		return nil
	}
	if b != nil {
		s.rendered.Set(k, b)
	}
	return b
}

// Placeholder returns Placeholder(jid, size), cached.
func (s *Store) Placeholder(jid string, size int) []byte {
	k := sized{key: jid, placeholder: true, size: size}
	if b, ok := s.rendered.GetIfPresent(k); ok {
		return b
	}
	b := Placeholder(jid, size)
	s.rendered.Set(k, b)
	return b
}
