// Package bench holds the project's benchmarks and load generators.
package bench

import (
	"net/url"
	"strconv"
	"testing"

	"badges/presence"
	"badges/render"
)

// Rendering benchmarks: go test ./bench -run '^$' -bench Render -benchmem
//
// "cold" renders without a cache (what every presence change costs once),
// "miss" goes through the cache with a new key each time (render plus
// insertion and eviction), "cached" is the steady state of a busy badge.

var sample = presence.Presence{JID: "alice@example.com", Status: presence.DND, Message: "In a meeting"}

func BenchmarkRenderBadgeSVGCold(b *testing.B) {
	for _, st := range render.Styles {
		b.Run(string(st), func(b *testing.B) {
			o := render.Options{Style: st}
			b.ReportAllocs()
			for b.Loop() {
				render.Badge(sample, o, render.SVG)
			}
		})
	}
}

func BenchmarkRenderBadgePNGCold(b *testing.B) {
	for _, tt := range []struct {
		style render.Style
		scale int
	}{{render.Flat, 1}, {render.Flat, 2}, {render.Flat, 3}, {render.ForTheBadge, 1}, {render.Social, 1}} {
		b.Run(string(tt.style)+"-x"+strconv.Itoa(tt.scale), func(b *testing.B) {
			o := render.Options{Style: tt.style, Scale: tt.scale}
			b.ReportAllocs()
			for b.Loop() {
				render.Badge(sample, o, render.PNG)
			}
		})
	}
}

func BenchmarkRenderBadgeMiss(b *testing.B) {
	for _, f := range []render.Format{render.SVG, render.PNG} {
		b.Run(f.String(), func(b *testing.B) {
			c := newCache(b)
			p := sample
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				p.JID = "user" + strconv.Itoa(i) + "@example.com"
				i++
				c.Badge(p, render.Options{}, f)
			}
		})
	}
}

func BenchmarkRenderBadgeCached(b *testing.B) {
	for _, f := range []render.Format{render.SVG, render.PNG} {
		b.Run(f.String(), func(b *testing.B) {
			c := newCache(b)
			c.Badge(sample, render.Options{}, f)
			b.ReportAllocs()
			for b.Loop() {
				c.Badge(sample, render.Options{}, f)
			}
		})
		b.Run(f.String()+"-parallel", func(b *testing.B) {
			c := newCache(b)
			c.Badge(sample, render.Options{}, f)
			b.ReportAllocs()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					c.Badge(sample, render.Options{}, f)
				}
			})
		})
	}
}

func BenchmarkRenderIconCold(b *testing.B) {
	for _, f := range []render.Format{render.SVG, render.PNG} {
		for _, size := range []int{16, 128} {
			b.Run(f.String()+"-"+strconv.Itoa(size), func(b *testing.B) {
				o := render.Options{Size: size}
				b.ReportAllocs()
				for b.Loop() {
					render.Icon(presence.DND, o, f)
				}
			})
		}
	}
}

func BenchmarkRenderParseQuery(b *testing.B) {
	q := url.Values{"style": {"social"}, "label": {"Alice"}, "color": {"blue"}, "dnd": {"purple"}, "logo": {"xmpp"}, "scale": {"2"}}
	b.ReportAllocs()
	for b.Loop() {
		render.ParseQuery(q, render.PNG)
	}
}

func newCache(b *testing.B) *render.Cache {
	c, err := render.NewCache(16 << 20)
	if err != nil {
		b.Fatal(err)
	}
	return c
}
