package web

import (
	"net/url"
	"strings"
	"time"

	lru "github.com/hashicorp/golang-lru/v2"

	"badges/presence"
	"badges/render"
)

// Bounds of the image caches.
const (
	// defaultRenderCacheSize is Options.RenderCacheSize when unset: an SVG
	// badge takes about 1.5 KiB and a PNG up to a few, so a busy instance
	// keeps its every badge for some MiB.
	defaultRenderCacheSize = 4096
	// maxCachedQuery keeps long queries out of the answer cache, so that
	// nobody can fill it with huge keys.
	maxCachedQuery = 512
)

// imageKind is what an image route draws.
type imageKind uint8

const (
	badgeImage imageKind = iota // a JID's badge
	iconImage                   // a JID's status dot
	roomImage                   // a room's badge
)

// answerKey names an image by what a request says: the hub entry it shows
// (immutable: a new presence is a new entry), the route, the format and
// the raw query. It is cheap to hash, unlike render.Cache's key, which holds
// every text and colour and needs the query parsed first.
type answerKey struct {
	e     *presence.Entry
	kind  imageKind
	f     render.Format
	query string
}

// imageCaches draw presence images through two caches: answers maps a
// request to its image without parsing the query or building the layout's
// key, the busy path of a README badge; render keeps images by everything
// that shapes their bytes, so that equal images are drawn once however
// they were asked for. Safe for concurrent use.
type imageCaches struct {
	render  *render.Cache
	answers *lru.Cache[answerKey, render.Image]
	now     func() time.Time // the answer time of message=seen
}

func newImageCaches(size int, now func() time.Time) *imageCaches {
	if size <= 0 {
		size = defaultRenderCacheSize
	}
	rc, err := render.NewCache(size)
	if err != nil {
		panic("web: " + err.Error()) // only for a size <= 0
	}
	answers, err := lru.New[answerKey, render.Image](size)
	if err != nil {
		panic("web: answer cache: " + err.Error())
	}
	return &imageCaches{render: rc, answers: answers, now: now}
}

// defaultOptions are the options of an image URL without a query, parsed
// once.
var defaultOptions = [...]render.Options{
	render.SVG: render.ParseQuery(nil, render.SVG),
	render.PNG: render.ParseQuery(nil, render.PNG),
}

// options parses a raw query into image options for format f.
func options(rawQuery string, f render.Format) render.Options {
	if rawQuery == "" {
		return defaultOptions[f]
	}
	q, _ := url.ParseQuery(rawQuery) // what parses is used, as for r.URL.Query
	return render.ParseQuery(q, f)
}

// image returns the image of kind for entry e, format f and the request's
// raw query. Entries the hub does not hold (Version 0: a topic nothing was
// published for, or one hidden from this reader) are made afresh for every
// request, so they skip the answer cache, which would only fill with them.
func (c *imageCaches) image(e *presence.Entry, kind imageKind, f render.Format, rawQuery string) render.Image {
	// message=seen words the time since last seen, which changes with the
	// clock and not with the entry: such badges are drawn by their words.
	cacheable := e.Version != 0 && len(rawQuery) <= maxCachedQuery && !strings.Contains(rawQuery, "seen")
	k := answerKey{e: e, kind: kind, f: f, query: rawQuery}
	if cacheable {
		if img, ok := c.answers.Get(k); ok {
			return img
		}
	}
	o := options(rawQuery, f)
	if o.Message == render.MessageSeen {
		o.Now = c.now()
	}
	var img render.Image
	switch kind {
	case badgeImage:
		img = c.render.Badge(e.Presence, o, f)
	case iconImage:
		img = c.render.Icon(e.Presence.Status, o, f)
	case roomImage:
		img = c.render.Room(e.Room, o, f)
	}
	if cacheable {
		// A clone: the query may share memory with the whole request.
		k.query = strings.Clone(rawQuery)
		c.answers.Add(k, img)
	}
	return img
}

// error returns an image that says msg, styled by the request's query.
func (c *imageCaches) error(msg, rawQuery string, f render.Format) render.Image {
	return c.render.Error(msg, options(rawQuery, f), f)
}
