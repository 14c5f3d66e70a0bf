package render

import (
	"fmt"

	"github.com/maypok86/otter/v2"

	"badges/presence"
)

// EntryOverhead is what a cached entry costs beyond the bytes it names: the
// cache's node, the key and value structs and their string headers. Caches
// add it to every entry's weight, so that many small entries are counted
// fairly too (docs/API.md#errors-and-limits: caches are bounded in bytes).
const EntryOverhead = 256

// Cache keeps rendered images, keyed by everything that shapes their bytes
// (format, scale, style, texts, colours, logo, icon size), within a budget
// of bytes. A presence change simply makes a new key; old entries age out.
// It is safe for concurrent use. Two goroutines missing the same key at
// once both render it, which costs a little time but never a wrong answer.
type Cache struct {
	c *otter.Cache[cacheKey, Image]
}

// cacheKey is comparable: badges fill spec, icons icon, cards card.
type cacheKey struct {
	format Format
	scale  int
	spec   spec
	icon   iconSpec
	card   cardSpec
}

// weight is what k and img hold in memory, in bytes.
func (k cacheKey) weight(img Image) uint32 {
	n := EntryOverhead + len(k.spec.label) + len(k.spec.message) + len(k.icon.word) + k.card.bytes() +
		len(img.Body) + len(img.ETag)
	return uint32(min(n, 1<<31))
}

// NewCache returns a cache holding images of at most maxBytes in all.
func NewCache(maxBytes int64) (*Cache, error) {
	if maxBytes <= 0 {
		return nil, fmt.Errorf("render: cache of %d bytes: must be positive", maxBytes)
	}
	c, err := otter.New(&otter.Options[cacheKey, Image]{
		MaximumWeight: uint64(maxBytes),
		Weigher:       func(k cacheKey, img Image) uint32 { return k.weight(img) },
	})
	if err != nil {
		return nil, fmt.Errorf("render: cache of %d bytes: %w", maxBytes, err)
	}
	return &Cache{c: c}, nil
}

// Badge is the cached form of the package function Badge.
func (c *Cache) Badge(p presence.Presence, o Options, f Format) Image {
	return c.badge(badgeSpec(p, o), o.scale(f), f)
}

// Room is the cached form of RoomBadge.
func (c *Cache) Room(r presence.Room, o Options, f Format) Image {
	return c.badge(roomSpec(r, o), o.scale(f), f)
}

// Error is the cached form of ErrorBadge.
func (c *Cache) Error(msg string, o Options, f Format) Image {
	return c.badge(errorSpec(msg, o), o.scale(f), f)
}

// Icon is the cached form of Icon.
func (c *Cache) Icon(s presence.Status, o Options, f Format) Image {
	ic := iconSpecFor(s, o)
	return c.get(cacheKey{format: f, icon: ic}, func() Image { return ic.draw(f) })
}

// Len reports about how many images the cache holds.
func (c *Cache) Len() int { return c.c.EstimatedSize() }

// Bytes reports the weight of what the cache holds, after evicting what is
// over the budget.
func (c *Cache) Bytes() uint64 {
	c.c.CleanUp()
	return c.c.WeightedSize()
}

func (c *Cache) badge(s spec, scale int, f Format) Image {
	return c.get(cacheKey{format: f, scale: scale, spec: s}, func() Image { return drawSpec(s, scale, f) })
}

func (c *Cache) get(k cacheKey, draw func() Image) Image {
	if img, ok := c.c.GetIfPresent(k); ok {
		return img
	}
	img := draw()
	c.c.Set(k, img)
	return img
}
