package web

import (
	"strings"

	"github.com/maypok86/otter/v2"

	"badges/presence"
)

// A badge URL names its JID or room the same way on every request, and
// PRECIS normalisation costs more than the rest of a cached badge answer
// (about 0.6 µs and 6 allocations for a plain ASCII JID, far more for
// others). nameCache remembers the normalised form of recent raw names.
const (
	// maxCachedName keeps long names out, so that an attacker cycling
	// through huge valid JIDs cannot make the cache large.
	maxCachedName = 256
	// nameEntryBytes is what an entry holds beyond its two strings.
	nameEntryBytes = 160
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
	c *otter.Cache[nameKey, string]
}

// newNameCache holds names within maxBytes, which is positive.
func newNameCache(maxBytes int64) *nameCache {
	return &nameCache{c: otter.Must(&otter.Options[nameKey, string]{
		MaximumWeight: uint64(maxBytes),
		Weigher: func(k nameKey, name string) uint32 {
			return uint32(nameEntryBytes + len(k.raw) + len(name))
		},
	})}
}

// topic normalises raw as a JID (presence.ParseJID) or, for KindRoom, as a
// room (presence.ParseRoom), and returns its topic.
func (c *nameCache) topic(kind presence.Kind, raw string) (presence.Topic, error) {
	k := nameKey{kind, raw}
	if name, ok := c.c.GetIfPresent(k); ok {
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
		c.c.Set(nameKey{kind, strings.Clone(raw)}, name)
	}
	return presence.Topic{Kind: kind, Name: name}, nil
}

// jid normalises raw as a JID, as topic does.
func (c *nameCache) jid(raw string) (string, error) {
	t, err := c.topic(presence.KindJID, raw)
	return t.Name, err
}

// bytes is the weight of what the cache holds, after evicting what is over
// its budget.
func (c *nameCache) bytes() uint64 {
	c.c.CleanUp()
	return c.c.WeightedSize()
}
