package render

import (
	"bytes"
	"encoding/base64"
	"encoding/xml"
	"errors"
	"image"
	"image/color"
	"image/png"
	"io"
	"regexp"
	"strings"
	"testing"
	"time"

	"badges/avatar"
	"badges/presence"
)

// cardNow is the answer time of every card drawn here.
var cardNow = time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)

// testAvatar is a small PNG with a diagonal gradient, to tell apart from
// the placeholder at a glance.
func testAvatar(t testing.TB) []byte {
	t.Helper()
	img := image.NewNRGBA(image.Rect(0, 0, 64, 64))
	for y := range 64 {
		for x := range 64 {
			img.Set(x, y, color.NRGBA{R: uint8(x * 4), G: 96, B: uint8(y * 4), A: 255})
		}
	}
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// richAlice has every field set.
func richAlice(t testing.TB) Profile {
	return Profile{
		JID:       "alice@example.com",
		Name:      "Alice Liddell",
		Status:    presence.Away,
		Message:   "Down the rabbit hole",
		Avatar:    Avatar{ID: "a1", PNG: testAvatar(t)},
		Tune:      Tune{Artist: "Jefferson Airplane", Title: "White Rabbit"},
		Mood:      Mood{Value: "curious", Text: "curiouser and curiouser"},
		Devices:   []string{"pc", "phone"},
		IdleSince: cardNow.Add(-5 * time.Minute),
	}
}

func cardCases(t testing.TB) []struct {
	name string
	p    Profile
	th   Theme
} {
	rich := richAlice(t)
	long := rich
	long.Name = "Alice Pleasance Liddell Hargreaves of Westminster and Wonderland"
	long.Message = strings.Repeat("a very long status text that never ends ", 4)
	long.Tune = Tune{Artist: "An Orchestra With A Name Longer Than The Card", Title: "Symphony No. 9 in D minor, Op. 125"}
	long.Activity = Activity{General: "working", Specific: "coding", Text: "on a parser for very long texts"}
	long.Mood = Mood{}
	rtl := Profile{
		JID: "nadia@example.com", Name: "نادية الحسيني", Status: presence.Available,
		Message: "في اجتماع حتى الساعة ٣", Tune: Tune{Artist: "فيروز", Title: "كيفك إنت"},
		Activity: Activity{General: "working"}, Devices: []string{"phone"},
	}
	emoji := Profile{
		JID: "emo@example.com", Name: "Emo 🎸 Kid", Status: presence.DND,
		Message: "🎧 focus mode 🔕", Tune: Tune{Title: "🎵 lofi beats"},
		Mood: Mood{Value: "happy", Text: "😀🎉"}, Devices: []string{"pc"},
	}
	offline := Profile{JID: "bob.builder@example.com", Status: presence.Offline, LastSeen: cardNow.Add(-3 * time.Hour)}
	return []struct {
		name string
		p    Profile
		th   Theme
	}{
		{"card_light", rich, ThemeLight},
		{"card_dark", rich, ThemeDark},
		{"card_auto", rich, ThemeAuto},
		{"card_long", long, ThemeLight},
		{"card_rtl", rtl, ThemeDark},
		{"card_emoji", emoji, ThemeLight},
		{"card_offline", offline, ThemeLight},
		{"card_unknown", Profile{JID: "nobody@example.com", Status: presence.Unknown}, ThemeAuto},
	}
}

func TestCardGolden(t *testing.T) {
	for _, tt := range cardCases(t) {
		t.Run(tt.name, func(t *testing.T) {
			svg := Card(tt.p, cardNow, tt.th, 1, SVG).Body
			root := parseSVG(t, svg)
			if w, h := svgSize(t, root); w != cardWidth || h != cardHeight {
				t.Errorf("size %dx%d, want %dx%d", w, h, cardWidth, cardHeight)
			}
			if root.Role != "img" || root.AriaLabel == "" || root.Title != root.AriaLabel {
				t.Errorf("role %q, aria-label %q, title %q", root.Role, root.AriaLabel, root.Title)
			}
			checkSelfContained(t, svg)
			golden(t, tt.name+".svg", svg)
			pngBody := Card(tt.p, cardNow, tt.th, 2, PNG).Body
			img, err := png.Decode(bytes.NewReader(pngBody))
			if err != nil {
				t.Fatalf("decode PNG: %v", err)
			}
			if b := img.Bounds(); b.Dx() != 2*cardWidth || b.Dy() != 2*cardHeight {
				t.Errorf("PNG %v at scale 2", b.Size())
			}
			golden(t, tt.name+".png", pngBody)
		})
	}
}

// checkSelfContained fails unless the SVG refers to nothing outside itself
// and is under 64 KiB: only the elements the card draws, every href a
// data: URI of a PNG, every url() a fragment, no @import in the style.
func checkSelfContained(t *testing.T, svg []byte) {
	t.Helper()
	if len(svg) >= 64<<10 {
		t.Errorf("SVG is %d bytes, want under 64 KiB", len(svg))
	}
	allowed := map[string]bool{"svg": true, "title": true, "style": true, "rect": true, "clipPath": true,
		"circle": true, "image": true, "g": true, "text": true}
	d := xml.NewDecoder(bytes.NewReader(svg))
	inStyle := false
	for {
		tok, err := d.Token()
		if errors.Is(err, io.EOF) {
			return
		}
		if err != nil {
			t.Fatalf("SVG: %v", err)
		}
		switch tok := tok.(type) {
		case xml.StartElement:
			if !allowed[tok.Name.Local] || (tok.Name.Space != "" && tok.Name.Space != "http://www.w3.org/2000/svg") {
				t.Errorf("SVG holds element %v", tok.Name)
			}
			inStyle = tok.Name.Local == "style"
			for _, a := range tok.Attr {
				if a.Name.Local == "href" && !strings.HasPrefix(a.Value, "data:image/png;base64,") {
					t.Errorf("SVG links to %.40q", a.Value)
				}
				if a.Name.Space != "" && a.Name.Space != "xmlns" {
					t.Errorf("SVG has attribute %v", a.Name)
				}
				for _, m := range regexp.MustCompile(`url\(([^)]*)\)`).FindAllStringSubmatch(a.Value, -1) {
					if !strings.HasPrefix(m[1], "#") {
						t.Errorf("SVG refers to %s", m[0])
					}
				}
			}
		case xml.EndElement:
			inStyle = false
		case xml.CharData:
			if inStyle && (bytes.Contains(tok, []byte("url(")) || bytes.Contains(tok, []byte("@import"))) {
				t.Errorf("SVG style refers outside: %s", tok)
			}
		}
	}
}

// Lines with nothing to say are left out: a bare offline JID has three
// (JID, status, last seen), a rich profile six.
func TestCardCollapsesEmptyLines(t *testing.T) {
	offline := Profile{JID: "bob@example.com", Status: "offline", LastSeen: cardNow.Add(-time.Hour)}
	s, _ := newCardSpec(offline, cardNow, ThemeLight)
	if n := len(newCardLayout(s).lines); n != 3 {
		t.Errorf("offline JID: %d lines, want 3", n)
	}
	s, _ = newCardSpec(richAlice(t), cardNow, ThemeLight)
	if n := len(newCardLayout(s).lines); n != 6 {
		t.Errorf("rich profile: %d lines, want 6", n)
	}
}

// Every text stays inside the card's text column, however long.
func TestCardTextFitsColumn(t *testing.T) {
	p := richAlice(t)
	p.Name = strings.Repeat("W", 300)
	p.Message = strings.Repeat("wide ", 100)
	p.Tune.Title = strings.Repeat("مرحبا ", 50)
	s, _ := newCardSpec(p, cardNow, ThemeLight)
	for _, line := range newCardLayout(s).lines {
		for _, b := range line.boxes {
			if right := b.x + b.width/2; right > cardRight+.01 {
				t.Errorf("%q ends at %g, past %d", b.text, right, cardRight)
			}
		}
	}
	if got := fitText("short", regular, linePx, 200); got != "short" {
		t.Errorf("fitText cut %q", got)
	}
	if got := fitText(strings.Repeat("x", 200), regular, linePx, 100); !strings.HasSuffix(got, "…") {
		t.Errorf("fitText(long) = %q, want an ellipsis", got)
	}
}

// The words follow the clock: a card drawn later says so, and its ETag
// changes with the words only.
func TestCardWordsFollowTime(t *testing.T) {
	p := Profile{JID: "bob@example.com", Status: "offline", LastSeen: cardNow.Add(-3 * time.Hour)}
	a := Card(p, cardNow, ThemeLight, 1, SVG)
	b := Card(p, cardNow.Add(20*time.Minute), ThemeLight, 1, SVG)
	c := Card(p, cardNow.Add(time.Hour), ThemeLight, 1, SVG)
	if a.ETag != b.ETag {
		t.Error("ETag changed while the words stayed")
	}
	if a.ETag == c.ETag || !bytes.Contains(c.Body, []byte("last seen 4 hours ago")) {
		t.Errorf("an hour later: %s", c.Body)
	}
}

// A picture that is not a PNG, or too large, gives the placeholder.
func TestCardRejectsBadAvatar(t *testing.T) {
	unknown := Card(Profile{JID: "bob@example.com", Status: "unknown"}, cardNow, ThemeAuto, 1, SVG)
	for _, bad := range [][]byte{[]byte("GIF89a not a png"), bytes.Repeat([]byte{0}, MaxCardAvatar+1)} {
		p := Profile{JID: "bob@example.com", Status: "unknown", Avatar: Avatar{ID: "x", PNG: bad}}
		if got := Card(p, cardNow, ThemeAuto, 1, SVG); !bytes.Equal(got.Body, unknown.Body) {
			t.Errorf("a bad avatar of %d bytes was embedded", len(bad))
		}
	}
}

func FuzzCard(f *testing.F) {
	f.Add("Alice", "busy", "Yes", "Roundabout", "happy", "pc")
	f.Add("نادية", "<&\"'>", "", "\x00\xff", "in_love", "")
	f.Fuzz(func(t *testing.T, name, msg, artist, title, mood, device string) {
		p := Profile{JID: "alice@example.com", Name: name, Status: "available", Message: msg,
			Tune: Tune{Artist: artist, Title: title}, Mood: Mood{Value: mood}, Devices: []string{device}}
		body := Card(p, cardNow, ThemeAuto, 1, SVG).Body
		parseSVG(t, body)
		checkSelfContained(t, body)
	})
}

// TestCardConfusableDomain: a JID on a domain that reads as another is
// shown in its ASCII form on the card (docs/API.md#deployment).
func TestCardConfusableDomain(t *testing.T) {
	svg := string(Card(Profile{JID: "ceo@аррӏе.com", Status: presence.Available}, cardNow, ThemeLight, 1, SVG).Body)
	if strings.Contains(svg, "аррӏе") || !strings.Contains(svg, "ceo@xn--80ak6aa92e.com") {
		t.Errorf("card shows the confusable form:\n%s", svg)
	}
}

// The card's placeholder is the picture /avatar serves, from one function.
func TestCardPlaceholderIsAvatars(t *testing.T) {
	svg := Card(Profile{JID: "carol.king@example.com", Status: presence.Unknown}, cardNow, ThemeAuto, 1, SVG).Body
	want := "data:image/png;base64," + base64.StdEncoding.EncodeToString(avatar.Placeholder("carol.king@example.com", CardAvatarSizes[0]))
	if !bytes.Contains(svg, []byte(want)) {
		t.Error("the SVG card does not embed avatar.Placeholder")
	}
}
