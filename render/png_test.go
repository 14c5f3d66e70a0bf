package render

import (
	"bytes"
	"image"
	"image/png"
	"strings"
	"testing"

	"badges/presence"
)

// checkPNG decodes body and checks its size.
func checkPNG(t testing.TB, body []byte, w, h int) image.Image {
	t.Helper()
	img, err := png.Decode(bytes.NewReader(body))
	if err != nil {
		t.Fatalf("decode PNG: %v", err)
	}
	if got := img.Bounds().Size(); got != image.Pt(w, h) {
		t.Fatalf("PNG is %v, want %dx%d", got, w, h)
	}
	return img
}

func TestBadgePNGSize(t *testing.T) {
	for _, st := range Styles {
		for scale := MinScale; scale <= MaxScale; scale++ {
			o := Options{Style: st, Scale: scale, Logo: scale == 2}
			svg := parseSVG(t, Badge(alice(presence.Away), o, SVG).Body)
			w, h := svgSize(t, svg)
			img := Badge(alice(presence.Away), o, PNG)
			if img.ContentType != "image/png" {
				t.Errorf("content type %q", img.ContentType)
			}
			checkPNG(t, img.Body, w*scale, h*scale)
			if h*scale != styleHeight(st)*scale {
				t.Errorf("%s at %d: height %d", st, scale, h*scale)
			}
		}
	}
}

func TestPNGWiderWithLongerLabel(t *testing.T) {
	for _, st := range Styles {
		prev := 0
		for _, label := range []string{"a", "alice", "alice@example.com", "alice.with.a.long.name@example.com"} {
			body := Badge(alice(presence.Available), Options{Style: st, Label: label, HasLabel: true}, PNG).Body
			img, err := png.Decode(bytes.NewReader(body))
			if err != nil {
				t.Fatal(err)
			}
			if w := img.Bounds().Dx(); w <= prev {
				t.Errorf("%s: label %q gives %d px, not more than %d", st, label, w, prev)
			} else {
				prev = w
			}
		}
	}
}

// textColumns returns, for the rows where text sits, the columns in
// [x0, x1) holding pixels that differ clearly from the background, which
// is sampled per row at column bgX (so gradients do not count as text).
func textColumns(img image.Image, x0, x1, bgX, y0, y1 int) (first, last int) {
	first, last = -1, -1
	for y := y0; y < y1; y++ {
		br, bg, bb, _ := img.At(bgX, y).RGBA()
		for x := x0; x < x1; x++ {
			r, g, b, _ := img.At(x, y).RGBA()
			if diff(r, br) > 0x3000 || diff(g, bg) > 0x3000 || diff(b, bb) > 0x3000 {
				if first < 0 || x < first {
					first = x
				}
				last = max(last, x)
			}
		}
	}
	return first, last
}

func diff(a, b uint32) uint32 {
	if a > b {
		return a - b
	}
	return b - a
}

// TestPNGTextFitsItsBox draws text at the edges of what it may use and
// checks that it reaches the end of its box and never spills out of it.
func TestPNGTextFitsItsBox(t *testing.T) {
	texts := []struct{ label, message string }{
		{"alice@example.com", "do not disturb"},
		{"WWWWWWWW", "mmmmmmmm"},
		{"jjjjfffff", "Überall ÆØÅ"},
		{"שלום עולם", "مرحبا"},
		{"李小龙", "☕☕"},
	}
	for _, st := range []Style{Flat, FlatSquare, Plastic, ForTheBadge} {
		for scale := MinScale; scale <= MaxScale; scale++ {
			for _, tx := range texts {
				o := Options{Style: st, Scale: scale, Label: tx.label, HasLabel: true, Message: MessageText}
				p := presence.Presence{JID: "x@y", Status: presence.Available, Message: tx.message}
				l := newLayout(badgeSpec(p, o))
				s := scale
				img := checkPNG(t, l.png(scale), int(l.width)*s, int(l.height)*s)
				rows0, rows1 := 4*s, int(l.height)*s-4*s
				lw := int(l.leftWidth) * s
				// Label: inside its padding, with nothing in the message
				// box's left padding.
				first, last := textColumns(img, 0, lw, 1*s, rows0, rows1)
				lo := int(l.label.x-l.label.width/2) * s
				hi := int(l.label.x+l.label.width/2) * s
				if first < lo-s || last > hi+s {
					t.Errorf("%s x%d %q: label pixels in columns %d..%d, box text area %d..%d", st, scale, tx.label, first, last, lo, hi)
				}
				if last < hi-3*s {
					t.Errorf("%s x%d %q: label ends at %d, short of %d", st, scale, tx.label, last, hi)
				}
				mx := int(l.message.x-l.message.width/2) * s
				w := int(l.width) * s
				if f, _ := textColumns(img, lw, mx-s, w-2*s, rows0, rows1); f >= 0 {
					t.Errorf("%s x%d: text pixels at %d, in the message box's padding %d..%d", st, scale, f, lw, mx-s)
				}
				// Message: reaches the right end of its box, stays inside.
				first, last = textColumns(img, lw, w, w-2*s, rows0, rows1)
				end := int(l.message.x+l.message.width/2) * s
				if first < mx-s || last > end+s || last < end-3*s {
					t.Errorf("%s x%d %q: message pixels in columns %d..%d, box text area %d..%d", st, scale, tx.message, first, last, mx, end)
				}
			}
		}
	}
}

func TestIconSizes(t *testing.T) {
	for _, tt := range []struct{ asked, want int }{{0, 16}, {16, 16}, {17, 17}, {64, 64}, {128, 128}, {500, 128}, {-4, 16}} {
		for _, s := range presence.Statuses {
			body := Icon(s, Options{Size: tt.asked}, PNG).Body
			checkPNG(t, body, tt.want, tt.want)
			root := parseSVG(t, Icon(s, Options{Size: tt.asked}, SVG).Body)
			if w, h := svgSize(t, root); w != tt.want || h != tt.want {
				t.Errorf("SVG icon asked %d: %dx%d, want %d", tt.asked, w, h, tt.want)
			}
			if root.AriaLabel != StatusWord(s) {
				t.Errorf("icon aria-label %q, want %q", root.AriaLabel, StatusWord(s))
			}
		}
	}
}

func TestIconColour(t *testing.T) {
	img := checkPNG(t, Icon(presence.DND, Options{Size: 32}, PNG).Body, 32, 32)
	// Left of the bar, below the highlight: the status colour.
	r, g, b, a := img.At(8, 20).RGBA()
	wr, wg, wb := mustColor("red").rgb()
	if a != 0xffff || diff(r>>8, uint32(wr)) > 24 || diff(g>>8, uint32(wg)) > 24 || diff(b>>8, uint32(wb)) > 24 {
		t.Errorf("dnd icon pixel %x %x %x %x, want about %x %x %x", r>>8, g>>8, b>>8, a>>8, wr, wg, wb)
	}
	if _, _, _, a := img.At(0, 0).RGBA(); a != 0 {
		t.Errorf("icon corner is not transparent (alpha %x)", a)
	}
}

func TestOpenfireImages(t *testing.T) {
	seen := map[string]bool{}
	for _, name := range OpenfireNames {
		img, ok := OpenfireImage(name)
		if !ok {
			t.Fatalf("no image %q", name)
		}
		checkPNG(t, img.Body, 16, 16)
		if seen[img.ETag] {
			t.Errorf("%s looks like another image", name)
		}
		seen[img.ETag] = true
	}
	if _, ok := OpenfireImage("../etc/passwd"); ok {
		t.Error("unknown name gave an image")
	}
	for _, s := range presence.Statuses {
		if _, ok := OpenfireImage(OpenfireName(s)); !ok {
			t.Errorf("status %s maps to %q, which has no image", s, OpenfireName(s))
		}
	}
	if OpenfireName(presence.Unknown) != "forbidden" {
		t.Error("unknown must look like an invisible JID: forbidden")
	}
}

func TestErrorPNG(t *testing.T) {
	for _, st := range Styles {
		img := ErrorBadge(strings.Repeat("bad ", 10), Options{Style: st, Scale: 3}, PNG)
		root := parseSVG(t, ErrorBadge(strings.Repeat("bad ", 10), Options{Style: st}, SVG).Body)
		w, h := svgSize(t, root)
		checkPNG(t, img.Body, 3*w, 3*h)
	}
}
