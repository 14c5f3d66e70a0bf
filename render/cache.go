package render

import (
	"fmt"

	lru "github.com/hashicorp/golang-lru/v2"

	"badges/presence"
)

// Cache keeps rendered images, keyed by everything that shapes their bytes
// (format, scale, style, texts, colours, logo, icon size). A presence
// change simply makes a new key; old entries age out. It is safe for
// concurrent use. Two goroutines missing the same key at once both render
// it, which costs a little time but never a wrong answer.
type Cache struct {
	lru *lru.Cache[cacheKey, Image]
}

// cacheKey is comparable: badges fill spec, icons icon, cards card.
type cacheKey struct {
	format Format
	scale  int
	spec   spec
	icon   iconSpec
	card   cardSpec
}

// NewCache returns a cache holding at most size images.
func NewCache(size int) (*Cache, error) {
	l, err := lru.New[cacheKey, Image](size)
	if err != nil {
		return nil, fmt.Errorf("render: cache of %d images: %w", size, err)
	}
	return &Cache{lru: l}, nil
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

// Len reports how many images the cache holds.
func (c *Cache) Len() int { return c.lru.Len() }

func (c *Cache) badge(s spec, scale int, f Format) Image {
	return c.get(cacheKey{format: f, scale: scale, spec: s}, func() Image { return drawSpec(s, scale, f) })
}

func (c *Cache) get(k cacheKey, draw func() Image) Image {
	if img, ok := c.lru.Get(k); ok {
		return img
	}
	img := draw()
	c.lru.Add(k, img)
	return img
}
