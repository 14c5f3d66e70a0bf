package web

import (
	"strings"

	lru "github.com/hashicorp/golang-lru/v2"

	"badges/presence"
)

// A badge URL names its JID or room the same way on every request, and
// PRECIS normalisation costs more than the rest of a cached badge answer
// (about 0.6 µs and 6 allocations for a plain ASCII JID, far more for
// others). nameCache remembers the normalised form of recent raw names.
const (
	// nameCacheSize bounds the entries: enough for every badge of a busy
	// instance, at most a few hundred KiB given maxCachedName.
	nameCacheSize = 4096
	// maxCachedName keeps long names out, so that an attacker cycling
	// through huge valid JIDs cannot make the cache large.
	maxCachedName = 256
)

// nameKey is a raw name as a request gave it and what it should name.
type nameKey struct {
	kind presence.Kind
	raw  string
}

// nameCache maps raw path segments to normalised bare JIDs or rooms. Only
// valid names are kept: an invalid one is parsed again each time, which
// costs the client, not the cache. Safe for concurrent use.
type nameCache struct {
	lru *lru.Cache[nameKey, string]
}

func newNameCache() *nameCache {
	l, err := lru.New[nameKey, string](nameCacheSize)
	if err != nil {
		panic("web: name cache: " + err.Error()) // only for a size <= 0
	}
	return &nameCache{lru: l}
}

// topic normalises raw as a JID (presence.ParseJID) or, for KindRoom, as a
// room (presence.ParseRoom), and returns its topic.
func (c *nameCache) topic(kind presence.Kind, raw string) (presence.Topic, error) {
	k := nameKey{kind, raw}
	if name, ok := c.lru.Get(k); ok {
		return presence.Topic{Kind: kind, Name: name}, nil
	}
	parse := presence.ParseJID
	if kind == presence.KindRoom {
		parse = presence.ParseRoom
	}
	name, err := parse(raw)
	if err != nil {
		return presence.Topic{}, err
	}
	if len(raw) <= maxCachedName {
		// A clone: raw may share memory with the whole request target.
		c.lru.Add(nameKey{kind, strings.Clone(raw)}, name)
	}
	return presence.Topic{Kind: kind, Name: name}, nil
}
