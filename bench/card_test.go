package bench

import (
	"bytes"
	"image"
	"image/color"
	"image/png"
	"net/http/httptest"
	"strconv"
	"testing"
	"time"

	"badges/presence"
	"badges/render"
	"badges/store"
	"badges/web"
)

// Profile card and group benchmarks:
// go test ./bench -run '^$' -bench 'Card|Group' -benchmem
//
// "cold" draws a card without a cache (what a change of its words costs
// once), "cached" is a card whose words did not change; bytes/card is the
// size of what is sent.

var cardNow = time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)

// cardProfile has every line of the card filled, and a 96 px avatar.
func cardProfile(b *testing.B) render.Profile {
	img := image.NewNRGBA(image.Rect(0, 0, 96, 96))
	for y := range 96 {
		for x := range 96 {
			img.Set(x, y, color.NRGBA{R: uint8(x * 2), G: uint8(y * 2), B: 128, A: 255})
		}
	}
	var avatar bytes.Buffer
	if err := png.Encode(&avatar, img); err != nil {
		b.Fatal(err)
	}
	return render.Profile{
		JID: benchJID, Name: "Alice Liddell", Status: presence.Away, Message: "Down the rabbit hole",
		Avatar:    render.Avatar{ID: "a1", PNG: avatar.Bytes()},
		Tune:      render.Tune{Artist: "Jefferson Airplane", Title: "White Rabbit"},
		Mood:      render.Mood{Value: "curious"},
		Devices:   []string{"pc", "phone"},
		IdleSince: cardNow.Add(-5 * time.Minute),
	}
}

func BenchmarkRenderCard(b *testing.B) {
	p := cardProfile(b)
	placeholder := render.Profile{JID: benchJID, Status: presence.Offline, LastSeen: cardNow.Add(-3 * time.Hour)}
	for _, tt := range []struct {
		name  string
		p     render.Profile
		f     render.Format
		scale int
	}{
		{"svg-avatar", p, render.SVG, 1},
		{"svg-placeholder", placeholder, render.SVG, 1},
		{"png-avatar-x1", p, render.PNG, 1},
		{"png-avatar-x2", p, render.PNG, 2},
	} {
		b.Run(tt.name+"-cold", func(b *testing.B) {
			b.ReportAllocs()
			var n int
			for b.Loop() {
				n = len(render.Card(tt.p, cardNow, render.ThemeAuto, tt.scale, tt.f).Body)
			}
			b.ReportMetric(float64(n), "bytes/card")
		})
		b.Run(tt.name+"-cached", func(b *testing.B) {
			c := newCache(b)
			c.Card(tt.p, cardNow, render.ThemeAuto, tt.scale, tt.f)
			b.ReportAllocs()
			for b.Loop() {
				c.Card(tt.p, cardNow, render.ThemeAuto, tt.scale, tt.f)
			}
		})
	}
}

// newGroupServer is a server with a roster group of members members, the
// first online of them available and the rest offline.
func newGroupServer(b *testing.B, members, online int) *web.Server {
	st, err := store.Open(b.TempDir())
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { st.Close() })
	hub := presence.NewMemHub()
	dir, err := presence.NewDirectory(hub, st, presence.DirectoryOptions{})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(dir.Close)
	for i := range members {
		jid := "member" + strconv.Itoa(i) + "@example.com"
		if err := dir.SetRosterItem(jid, presence.RosterItem{Subscribed: true, Groups: []string{"team"}}); err != nil {
			b.Fatal(err)
		}
		if i < online {
			dir.SetResource(jid, "pc", presence.Resource{Status: presence.Available, Changed: time.Now()})
		}
	}
	return web.New(web.Options{Hub: hub, Directory: dir})
}

func BenchmarkHTTPGroup(b *testing.B) {
	for _, n := range []int{12, 100} {
		srv := newGroupServer(b, n, n/2)
		b.Run("svg-"+strconv.Itoa(n)+"-members", func(b *testing.B) {
			serve(b, srv, httptest.NewRequest("GET", "/group/team.svg", nil), 200)
		})
		b.Run("json-"+strconv.Itoa(n)+"-members", func(b *testing.B) {
			serve(b, srv, httptest.NewRequest("GET", "/api/v1/groups/team", nil), 200)
		})
	}
}

func BenchmarkHTTPCard(b *testing.B) {
	srv := newGroupServer(b, 1, 1)
	for _, target := range []string{"/card/member0@example.com.svg", "/card/member0@example.com.png"} {
		b.Run(target[len(target)-3:], func(b *testing.B) {
			serve(b, srv, httptest.NewRequest("GET", target, nil), 200)
		})
	}
}
