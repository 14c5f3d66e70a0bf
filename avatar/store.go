package avatar

import (
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
	// a budget of bytes (docs/API.md#errors-and-limits).
	rendered *otter.Cache[sized, []byte]
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
	defer s.mu.Unlock()
	if cur, ok := s.byOwner[owner]; ok && cur == id {
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
	if p == nil {
		return nil, false
	}
	b, err := Resize(p.png, size)
	if err != nil { // Normalize made it: cannot happen
		return nil, false
	}
	s.rendered.Set(k, b)
	return b, true
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
