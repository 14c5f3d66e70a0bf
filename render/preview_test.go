package render

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"badges/presence"
)

var preview = flag.String("preview", "", "write sample badges and an HTML page showing them to this directory, for a person to look at")

// TestPreview writes samples of everything this package draws, so that
// changes can be judged by eye: go test ./render -run Preview -preview DIR,
// then open DIR/index.html (SVG and PNG side by side) or the PNGs.
func TestPreview(t *testing.T) {
	if *preview == "" {
		t.Skip("no -preview directory")
	}
	var html strings.Builder
	html.WriteString("<!doctype html><meta charset=utf-8><title>badges preview</title><body style='font:13px sans-serif'><table>")
	n := 0
	write := func(caption string, svg, png Image) {
		n++
		base := fmt.Sprintf("%02d", n)
		files := map[string]Image{".png": png}
		svgName := base + ".png" // Openfire's images exist as PNG only
		if svg.ContentType != png.ContentType {
			files[".svg"], svgName = svg, base+".svg"
		}
		for ext, img := range files {
			if err := os.WriteFile(filepath.Join(*preview, base+ext), img.Body, 0o644); err != nil {
				t.Fatal(err)
			}
		}
		fmt.Fprintf(&html, "<tr><td>%s</td><td><img src=%s></td><td><img src=%s.png style='zoom:.5'></td></tr>\n",
			caption, svgName, base)
	}
	samples := []struct {
		caption string
		p       presence.Presence
		o       Options
	}{
		{"available", alice(presence.Available), Options{}},
		{"chat, logo", alice(presence.Chat), Options{Logo: true}},
		{"away, text", alice(presence.Away), Options{Message: MessageText}},
		{"xa, no label", alice(presence.XA), Options{HasLabel: true}},
		{"dnd, logo, no label", alice(presence.DND), Options{HasLabel: true, Logo: true}},
		{"offline", alice(presence.Offline), Options{}},
		{"unknown", alice(presence.Unknown), Options{}},
		{"right-to-left", presence.Presence{JID: "שלום@example.com", Status: presence.Away, Message: "مرحبا (123)"}, Options{Message: MessageText}},
		{"wide glyphs", presence.Presence{JID: "李@example.com", Status: presence.Chat, Message: "☕ 🎉 ok"}, Options{Message: MessageText}},
	}
	for _, st := range Styles {
		for _, s := range samples {
			o := s.o
			o.Style, o.Scale = st, 2
			write(string(st)+", "+s.caption, Badge(s.p, o, SVG), Badge(s.p, o, PNG))
		}
		o := Options{Style: st, Scale: 2}
		r := presence.Room{Room: "chat@rooms.example.com", Occupants: 12}
		write(string(st)+", room", RoomBadge(r, o, SVG), RoomBadge(r, o, PNG))
		write(string(st)+", error", ErrorBadge("invalid JID", o, SVG), ErrorBadge("invalid JID", o, PNG))
	}
	for _, s := range presence.Statuses {
		o := Options{Size: 64}
		write("icon "+string(s), Icon(s, o, SVG), Icon(s, o, PNG))
	}
	for _, name := range OpenfireNames {
		img, _ := OpenfireImage(name)
		write("openfire "+name, img, img)
	}
	html.WriteString("</table>")
	if err := os.WriteFile(filepath.Join(*preview, "index.html"), []byte(html.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("wrote %d samples to %s", n, *preview)
}
