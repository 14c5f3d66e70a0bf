package web

import (
	"net/url"
	"strings"
	"time"

	"github.com/maypok86/otter/v2"

	"badges/presence"
	"badges/render"
)

// Bounds of the caches (docs/API.md#errors-and-limits: caches are bounded
// in bytes, all together, so that no stream of distinct requests can grow
// the process past its budget).
const (
	// defaultCacheBytes is Options.CacheBytes when unset: an SVG badge
	// takes about 1.5 KiB and a PNG up to a few, so a busy instance keeps
	// its every badge in a few MiB, and 64 MiB leaves room for large ones.
	defaultCacheBytes = 64 << 20
	// maxCachedQuery keeps long queries out of the answer cache, so that
	// nobody can fill it with huge keys.
	maxCachedQuery = 512
	// entryBytes is what an answer holds beyond its query and image: the
	// cache's node and, through its key, the hub entry it was drawn for.
	entryBytes = render.EntryOverhead + 512
)

// cacheShares splits Options.CacheBytes among the caches: rendered images,
// answers (which mostly point at the same images, counted again to be
// safe) and normalised names.
func cacheShares(total int64) (images, answers, names int64) {
	if total <= 0 {
		total = defaultCacheBytes
	}
	images = total / 2
	answers = total * 3 / 8
	return images, answers, total - images - answers
}

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
	answers *otter.Cache[answerKey, render.Image]
	now     func() time.Time // the answer time of message=seen
}

// newImageCaches holds images within imageBytes and answers within
// answerBytes, both positive.
func newImageCaches(imageBytes, answerBytes int64, now func() time.Time) *imageCaches {
	rc, err := render.NewCache(imageBytes)
	if err != nil {
		panic("web: " + err.Error()) // only for a budget <= 0
	}
	answers := otter.Must(&otter.Options[answerKey, render.Image]{
		MaximumWeight: uint64(answerBytes),
		Weigher: func(k answerKey, img render.Image) uint32 {
			return uint32(entryBytes + len(k.query) + len(img.Body) + len(img.ETag))
		},
	})
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
		if img, ok := c.answers.GetIfPresent(k); ok {
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
		c.answers.Set(k, img)
	}
	return img
}

// error returns an image that says msg, styled by the request's query.
func (c *imageCaches) error(msg, rawQuery string, f render.Format) render.Image {
	return c.render.Error(msg, options(rawQuery, f), f)
}

// bytes is the weight of what both caches hold, after evicting what is over
// their budgets.
func (c *imageCaches) bytes() uint64 {
	c.answers.CleanUp()
	return c.render.Bytes() + c.answers.WeightedSize()
}
