package render

import (
	"bytes"
	"regexp"
	"strings"
	"sync"
	"testing"

	"badges/presence"
)

func TestCache(t *testing.T) {
	c, err := NewCache(1 << 20)
	if err != nil {
		t.Fatal(err)
	}
	o := Options{Style: Plastic}
	a := c.Badge(alice(presence.Away), o, SVG)
	if want := Badge(alice(presence.Away), o, SVG); !bytes.Equal(a.Body, want.Body) || a.ETag != want.ETag {
		t.Error("cached badge differs from a fresh one")
	}
	if b := c.Badge(alice(presence.Away), o, SVG); &b.Body[0] != &a.Body[0] {
		t.Error("second call rendered again")
	}
	if !regexp.MustCompile(`^"[A-Za-z0-9_-]{24}"$`).MatchString(a.ETag) {
		t.Errorf("ETag %s is not a quoted strong tag", a.ETag)
	}
	// Everything that shapes the bytes is in the key.
	variants := []Image{
		c.Badge(alice(presence.DND), o, SVG),
		c.Badge(alice(presence.Away), o, PNG),
		c.Badge(alice(presence.Away), Options{Style: Plastic, Scale: 2}, PNG),
		c.Badge(alice(presence.Away), Options{Style: Plastic, Logo: true}, SVG),
		c.Badge(alice(presence.Away), Options{Style: Plastic, Color: mustColor("blue")}, SVG),
		c.Badge(alice(presence.Away), Options{Style: Plastic, LabelColor: mustColor("blue")}, SVG),
		c.Badge(alice(presence.Away), Options{Style: Plastic, Label: "x", HasLabel: true}, SVG),
		c.Badge(alice(presence.Away), Options{Style: Plastic, Message: MessageText}, SVG),
		c.Room(presence.Room{Room: "r@m", Occupants: 2}, o, SVG),
		c.Error("bad", o, SVG),
		c.Icon(presence.Away, Options{Size: 16}, SVG),
		c.Icon(presence.Away, Options{Size: 32}, SVG),
		c.Icon(presence.Away, Options{Size: 32}, PNG),
	}
	seen := map[string]bool{a.ETag: true}
	for i, v := range variants {
		if seen[v.ETag] {
			t.Errorf("variant %d shares bytes with another", i)
		}
		seen[v.ETag] = true
	}
	if c.Len() != 1+len(variants) {
		t.Errorf("cache holds %d images, want %d", c.Len(), 1+len(variants))
	}
	// SVG ignores scale, so the key does too.
	c.Badge(alice(presence.Away), Options{Style: Plastic, Scale: 3}, SVG)
	if c.Len() != 1+len(variants) {
		t.Error("scale split the SVG cache")
	}
}

func TestCacheBounded(t *testing.T) {
	const budget = 64 << 10
	c, err := NewCache(budget)
	if err != nil {
		t.Fatal(err)
	}
	var drawn int
	for i := range 200 {
		img := c.Badge(alice(presence.Away), Options{Label: strings.Repeat("x", i), HasLabel: true, Scale: 3}, PNG)
		drawn += len(img.Body)
	}
	if drawn < 4*budget {
		t.Fatalf("the test drew only %d bytes", drawn)
	}
	if got := c.Bytes(); got > budget || got < budget/4 {
		t.Errorf("cache holds %d bytes, want at most %d and not nearly empty", got, budget)
	}
	if _, err := NewCache(0); err == nil {
		t.Error("a cache of 0 bytes was accepted")
	}
}

func TestCacheConcurrent(t *testing.T) {
	c, err := NewCache(1 << 20)
	if err != nil {
		t.Fatal(err)
	}
	want := Badge(alice(presence.Away), Options{Scale: 2}, PNG).Body
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			for i := range 20 {
				st := presence.Statuses[(g+i)%len(presence.Statuses)]
				c.Badge(alice(st), Options{Scale: 2}, PNG)
				if got := c.Badge(alice(presence.Away), Options{Scale: 2}, PNG).Body; !bytes.Equal(got, want) {
					t.Error("concurrent rendering gave different bytes")
					return
				}
			}
		})
	}
	wg.Wait()
}
