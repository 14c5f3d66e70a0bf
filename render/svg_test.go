package render

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"badges/presence"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// golden compares body with testdata/name, or rewrites it under -update.
func golden(t *testing.T, name string, body []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, body, 0o644); err != nil {
			t.Fatalf("write golden file: %v", err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("read golden file (run go test ./render -update to create it): %v", err)
	}
	if !bytes.Equal(body, want) {
		t.Errorf("%s differs from its golden file (run with -update if the change is meant):\ngot  %s\nwant %s", name, body, want)
	}
}

func TestBadgeSVGGolden(t *testing.T) {
	for _, st := range Styles {
		for _, s := range presence.Statuses {
			name := "badge_" + string(st) + "_" + string(s) + ".svg"
			t.Run(name, func(t *testing.T) {
				body := Badge(alice(s), Options{Style: st}, SVG).Body
				root := parseSVG(t, body)
				if want := "alice@example.com: " + StatusWord(s); root.AriaLabel != want || root.Title != want {
					t.Errorf("aria-label %q, title %q; want %q", root.AriaLabel, root.Title, want)
				}
				if root.Role != "img" {
					t.Errorf("role %q, want img", root.Role)
				}
				if _, h := svgSize(t, root); h != styleHeight(st) {
					t.Errorf("height %d, want %d", h, styleHeight(st))
				}
				golden(t, name, body)
			})
		}
	}
}

func TestVariantsSVGGolden(t *testing.T) {
	purple, _ := ParseColor("purple")
	tests := []struct {
		name string
		img  Image
	}{
		{"logo_flat.svg", Badge(alice(presence.Available), Options{Logo: true}, SVG)},
		{"logo_for-the-badge.svg", Badge(alice(presence.Away), Options{Style: ForTheBadge, Logo: true}, SVG)},
		{"logo_social.svg", Badge(alice(presence.XA), Options{Style: Social, Logo: true}, SVG)},
		{"logo_message_only.svg", Badge(alice(presence.Available), Options{Logo: true, HasLabel: true}, SVG)},
		{"message_only.svg", Badge(alice(presence.DND), Options{HasLabel: true}, SVG)},
		{"message_only_social.svg", Badge(alice(presence.DND), Options{Style: Social, HasLabel: true}, SVG)},
		{"message_text.svg", Badge(alice(presence.DND), Options{Message: MessageText, Label: "Alice", HasLabel: true}, SVG)},
		{"colors.svg", Badge(alice(presence.DND), Options{StatusColors: map[presence.Status]Color{presence.DND: purple}, LabelColor: mustColor("#fff")}, SVG)},
		{"room.svg", RoomBadge(presence.Room{Room: "chat@rooms.example.com", Occupants: 12}, Options{}, SVG)},
		{"room_empty.svg", RoomBadge(presence.Room{Room: "chat@rooms.example.com"}, Options{}, SVG)},
		{"error.svg", ErrorBadge("invalid JID", Options{}, SVG)},
		{"rtl.svg", Badge(presence.Presence{JID: "שלום@example.com", Status: presence.Away, Message: "مرحبا بالعالم"}, Options{Message: MessageText}, SVG)},
		{"wide.svg", Badge(presence.Presence{JID: "李@example.com", Status: presence.Chat, Message: "☕ 🎉"}, Options{Message: MessageText}, SVG)},
	}
	for _, s := range presence.Statuses {
		tests = append(tests, struct {
			name string
			img  Image
		}{"icon_" + string(s) + ".svg", Icon(s, Options{}, SVG)})
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			parseSVG(t, tt.img.Body)
			if tt.img.ContentType != "image/svg+xml; charset=utf-8" {
				t.Errorf("content type %q", tt.img.ContentType)
			}
			golden(t, tt.name, tt.img.Body)
		})
	}
}

func TestRoomAndErrorText(t *testing.T) {
	root := parseSVG(t, RoomBadge(presence.Room{Room: "chat@rooms.example.com", Occupants: 12}, Options{}, SVG).Body)
	if root.AriaLabel != "chat: 12 online" {
		t.Errorf("room aria-label %q", root.AriaLabel)
	}
	root = parseSVG(t, RoomBadge(presence.Room{Room: "chat@rooms.example.com", Occupants: -3}, Options{Label: "Chat", HasLabel: true}, SVG).Body)
	if root.AriaLabel != "Chat: 0 online" {
		t.Errorf("room aria-label %q", root.AriaLabel)
	}
	root = parseSVG(t, ErrorBadge("invalid JID", Options{Style: Social}, SVG).Body)
	if root.AriaLabel != "badge: invalid JID" {
		t.Errorf("error aria-label %q", root.AriaLabel)
	}
}

func TestMessageModes(t *testing.T) {
	p := alice(presence.DND)
	for _, tt := range []struct {
		mode    MessageMode
		message string
		want    string
	}{
		{MessageStatus, "In a meeting", "do not disturb"},
		{MessageText, "In a meeting", "In a meeting"},
		{MessageText, "", "do not disturb"},
	} {
		p.Message = tt.message
		root := parseSVG(t, Badge(p, Options{Message: tt.mode, HasLabel: true}, SVG).Body)
		if root.AriaLabel != tt.want {
			t.Errorf("mode %d, message %q: shows %q, want %q", tt.mode, tt.message, root.AriaLabel, tt.want)
		}
	}
}

func TestEscaping(t *testing.T) {
	nasty := []string{
		`<script>alert(1)</script>`,
		`"><svg onload=alert(1)>`,
		`Tom & Jerry's "show"`,
		`&amp; already escaped`,
		`]]><!-- -->`,
	}
	for _, st := range Styles {
		for _, s := range nasty {
			p := presence.Presence{JID: s, Status: presence.Away, Message: s}
			body := Badge(p, Options{Style: st, Message: MessageText, Logo: true}, SVG).Body
			root := parseSVG(t, body)
			if want := s + ": " + s; root.AriaLabel != want || root.Title != want {
				t.Errorf("%s: aria-label %q, title %q; want %q", st, root.AriaLabel, root.Title, want)
			}
			for _, raw := range []string{"<script", "<svg onload", `"show"`, "'s", "]]>", "<!--", "& "} {
				if bytes.Contains(body, []byte(raw)) {
					t.Errorf("%s: %q appears raw in\n%s", st, raw, body)
				}
			}
		}
	}
}

func TestColoursCannotInject(t *testing.T) {
	o := ParseQuery(map[string][]string{
		"color":      {`red" onload="x`},
		"labelColor": {`#fff"/><script>`},
		"dnd":        {`url(javascript:x)`},
	}, SVG)
	body := string(Badge(alice(presence.DND), o, SVG).Body)
	for _, bad := range []string{"onload", "script", "javascript"} {
		if strings.Contains(body, bad) {
			t.Errorf("%q reached the SVG:\n%s", bad, body)
		}
	}
}

func TestRightToLeft(t *testing.T) {
	for _, label := range []string{"שלום עולם", "مرحبا بالعالم", "alice שלום 123"} {
		for _, st := range Styles {
			body := Badge(alice(presence.Available), Options{Style: st, Label: label, HasLabel: true}, SVG).Body
			root := parseSVG(t, body)
			w, _ := svgSize(t, root)
			short := Badge(alice(presence.Available), Options{Style: st, Label: "ab", HasLabel: true}, SVG).Body
			ws, _ := svgSize(t, parseSVG(t, short))
			if w <= ws+20 || w > ws+200 {
				t.Errorf("%s %q: width %d, want between %d and %d", st, label, w, ws+20, ws+200)
			}
			if rtlText(label) != bytes.Contains(body, []byte(`direction="rtl"`)) {
				t.Errorf("%s %q: direction attribute does not follow the text", st, label)
			}
		}
	}
}

func TestWidthGrowsWithText(t *testing.T) {
	for _, st := range Styles {
		prev := 0
		for _, label := range []string{"", "a", "alice", "alice@example.com", "alice.with.a.long.name@example.com"} {
			body := Badge(alice(presence.Available), Options{Style: st, Label: label, HasLabel: true}, SVG).Body
			w, _ := svgSize(t, parseSVG(t, body))
			if w <= prev {
				t.Errorf("%s: label %q gives width %d, not more than %d", st, label, w, prev)
			}
			prev = w
		}
	}
}

func TestLongTextIsBounded(t *testing.T) {
	long := strings.Repeat("W", 5000)
	body := Badge(presence.Presence{JID: long, Status: presence.Away, Message: long},
		Options{Message: MessageText}, SVG).Body
	root := parseSVG(t, body)
	if w, _ := svgSize(t, root); w > 2*maxTextRunes*fontSize*2 {
		t.Errorf("width %d for 5000 runes: text is not bounded", w)
	}
	if !strings.Contains(root.Title, "…") {
		t.Errorf("cut text should end in an ellipsis: %q", root.Title)
	}
}

func FuzzBadgeSVG(f *testing.F) {
	f.Add("alice@example.com", "online", uint8(0), false)
	f.Add("<script>", `"&'`, uint8(1), true)
	f.Add("שלום (עולם)", "مرحبا 123", uint8(4), true)
	f.Add("\x00\xff\ufffe", "\u202e\u0301a", uint8(3), false)
	f.Add("", "", uint8(2), true)
	f.Fuzz(func(t *testing.T, label, message string, style uint8, logo bool) {
		st := Styles[int(style)%len(Styles)]
		o := Options{Style: st, Label: label, HasLabel: true, Message: MessageText, Logo: logo}
		p := presence.Presence{JID: "a@b", Status: presence.Away, Message: message}
		body := Badge(p, o, SVG).Body
		root := parseSVG(t, body)
		sp := badgeSpec(p, o)
		want := (&layout{spec: sp}).accessibleText()
		if root.AriaLabel != want || root.Title != want {
			t.Fatalf("aria-label %q, title %q; want %q", root.AriaLabel, root.Title, want)
		}
		w, h := svgSize(t, root)
		if w < 2*padding || w > 2*maxTextRunes*2*fontSize+100 || h != styleHeight(st) {
			t.Fatalf("size %dx%d out of bounds", w, h)
		}
		if len(label)+len(message) < 48 {
			checkPNG(t, Badge(p, o, PNG).Body, w, h)
		}
	})
}
