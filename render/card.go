package render

import (
	"bytes"
	"image"
	"image/png"
	"strings"
	"time"

	"badges/avatar"
	"badges/idn"
	"badges/presence"
)

// A profile card (docs/API.md#rich-presence) is a 400 x 120 picture of one
// JID: avatar, name and JID, status dot and word with the status text,
// now playing, mood or activity, devices and idle or last seen. It uses the
// badges' fonts and measuring, so that SVG and PNG agree; a line with
// nothing to say is left out and the rest close up around the middle.

// Theme is a card's colour scheme.
type Theme uint8

// The themes. The zero Theme is ThemeAuto: light, or dark where the reader
// prefers it (the SVG asks prefers-color-scheme; a PNG cannot, and is light).
const (
	ThemeAuto Theme = iota
	ThemeLight
	ThemeDark
)

// ParseTheme reads light, dark or auto; anything else is auto.
func ParseTheme(s string) Theme {
	switch strings.ToLower(s) {
	case "light":
		return ThemeLight
	case "dark":
		return ThemeDark
	}
	return ThemeAuto
}

// String returns the theme's name.
func (t Theme) String() string {
	switch t {
	case ThemeLight:
		return "light"
	case ThemeDark:
		return "dark"
	}
	return "auto"
}

// Avatar is a picture as PNG bytes, already re-encoded by whoever holds
// it; the card embeds it and never fetches anything. ID names the picture
// (a new picture, a new ID); when empty, the bytes are hashed instead.
type Avatar struct {
	ID  string
	PNG []byte
}

// MaxCardAvatar bounds the PNG bytes of the avatar embedded in a card, so
// that the SVG stays under 64 KiB with room for everything else; a larger
// one is replaced by the placeholder. CardAvatarSizes are the edges, best
// first, at which to offer a picture so that it fits.
const MaxCardAvatar = 40 << 10

// CardAvatarSizes: an SVG card's circle is 80 CSS pixels, shown on dense
// screens too.
var CardAvatarSizes = []int{96, 80, 64, 48}

// Profile is what a card shows of one JID. Every field but JID and Status
// may be empty; an empty field is a line left out.
type Profile struct {
	JID       string
	Name      string
	Status    presence.Status
	Message   string
	Avatar    Avatar
	Tune      Tune
	Mood      Mood
	Activity  Activity
	Devices   []string
	IdleSince time.Time
	LastSeen  time.Time
}

// ProfileOf is what a card shows of p, p as the reader may see it, but for
// the picture, which the caller adds from its store.
func ProfileOf(p presence.Presence) Profile {
	d := p.Details
	pr := Profile{JID: p.JID, Name: d.Name, Status: p.Status, Message: p.Message, Tune: tuneOf(d.Tune),
		Devices: d.Devices, IdleSince: d.IdleSince, LastSeen: p.LastSeen}
	if m := d.Mood; m != nil {
		pr.Mood = Mood{Value: m.Value, Text: m.Text}
	}
	if a := d.Activity; a != nil {
		pr.Activity = Activity{General: a.General, Specific: a.Specific, Text: a.Text}
	}
	return pr
}

// tuneOf is the part of t a card or badge words; the zero Tune for none.
func tuneOf(t *presence.Tune) Tune {
	if t == nil {
		return Tune{}
	}
	return Tune{Artist: t.Artist, Title: t.Title, Source: t.Source}
}

// WhenText words how long p has been idle while online, or when it was
// last seen while offline, at time now; "" otherwise.
func (p Profile) WhenText(now time.Time) string {
	switch {
	case p.Status.Online():
		return IdleText(p.IdleSince, now)
	case p.Status == presence.Offline:
		return SeenText(p.LastSeen, now)
	}
	return ""
}

// cardSpec is everything that shapes a card's pixels, worded: it is
// comparable and, with the format and scale, keys the cache. The avatar is
// named by its ID; its bytes travel beside the spec.
type cardSpec struct {
	theme    Theme
	title    string // the name, else the JID
	jid      string // the JID under a name; "" when title is the JID
	word     string // the status word
	color    Color  // the status colour
	message  string
	tune     string
	mood     string
	details  string // devices and idle or last seen
	owner    string // the JID the placeholder is drawn from
	avatarID string // "" for the placeholder
}

// newCardSpec words p as the card shows it at time now.
func newCardSpec(p Profile, now time.Time, th Theme) (cardSpec, []byte) {
	s := cardSpec{
		theme:   th,
		title:   cleanText(idn.JID(p.JID)),
		word:    StatusWord(p.Status),
		color:   mustColor(StatusColorName(p.Status)),
		message: cleanText(p.Message),
		tune:    cleanText(TuneText(p.Tune)),
		mood:    cleanText(MoodText(p.Mood, p.Activity)),
	}
	if name := cleanText(p.Name); name != "" && name != s.title {
		s.title, s.jid = name, s.title
	}
	s.details = cleanText(joinNonEmpty(" · ", DevicesText(p.Devices), p.WhenText(now)))
	avatar := p.Avatar.PNG
	if !usableAvatar(avatar) {
		avatar = nil
	}
	if avatar != nil {
		s.avatarID = p.Avatar.ID
		if s.avatarID == "" {
			s.avatarID = presence.ETag(avatar)
		}
	}
	// The placeholder stands in also for an avatar that fails to decode.
	s.owner = p.JID
	return s, avatar
}

// bytes is what the spec's strings hold, for the cache's weight.
func (s cardSpec) bytes() int {
	return len(s.title) + len(s.jid) + len(s.word) + len(s.message) + len(s.tune) + len(s.mood) +
		len(s.details) + len(s.owner) + len(s.avatarID)
}

// usableAvatar reports whether b may be a PNG small enough to embed: it is
// checked by its signature here, on every answer, and decoded only when
// the card is drawn (decodableAvatar).
func usableAvatar(b []byte) bool {
	return len(b) > 0 && len(b) <= MaxCardAvatar && bytes.HasPrefix(b, pngSignature)
}

var pngSignature = []byte("\x89PNG\r\n\x1a\n")

// decodableAvatar reports whether b holds a PNG header of a sensible size.
func decodableAvatar(b []byte) bool {
	cfg, err := png.DecodeConfig(bytes.NewReader(b))
	return err == nil && cfg.Width > 0 && cfg.Height > 0 && cfg.Width <= 1024 && cfg.Height <= 1024
}

func joinNonEmpty(sep string, parts ...string) string {
	out := parts[:0:0]
	for _, p := range parts {
		if p != "" {
			out = append(out, p)
		}
	}
	return strings.Join(out, sep)
}

// Card renders p's profile card at time now, which the relative times are
// counted from. scale multiplies a PNG's size (1 to 3); SVG ignores it.
func Card(p Profile, now time.Time, th Theme, scale int, f Format) Image {
	s, avatar := newCardSpec(p, now, th)
	return s.draw(avatar, cardScale(scale, f), f)
}

// Card is the cached form of the package function Card.
func (c *Cache) Card(p Profile, now time.Time, th Theme, scale int, f Format) Image {
	s, avatar := newCardSpec(p, now, th)
	scale = cardScale(scale, f)
	return c.get(cacheKey{format: f, scale: scale, card: s}, func() Image { return s.draw(avatar, scale, f) })
}

func cardScale(scale int, f Format) int {
	if f != PNG {
		return 1
	}
	return min(max(scale, MinScale), MaxScale)
}

func (s cardSpec) draw(avatar []byte, scale int, f Format) Image {
	if avatar != nil && !decodableAvatar(avatar) {
		avatar = nil // the placeholder stands in
	}
	l := newCardLayout(s)
	if f == PNG {
		return newImage(l.png(avatar, scale), f)
	}
	return newImage(l.svg(avatar), f)
}

// Card geometry, in CSS pixels at scale 1.
const (
	cardWidth    = 400
	cardHeight   = 120
	cardRadius   = 10
	cardPad      = 20
	avatarSize   = 80
	cardColumn   = cardPad + avatarSize + 18 // where the text column starts
	cardRight    = cardWidth - 16            // where it ends
	titlePx      = 15
	linePx       = 12
	titleLead    = 20 // the title line's height
	lineLead     = 16 // every other line's
	statusDot    = 8  // diameter of the dot before the status word
	statusDotGap = 5
)

// cardPalette is a theme's colours: background, border, text, muted text.
type cardPalette struct {
	bg, border, text, muted Color
}

var (
	lightCard = cardPalette{mustColor("#fff"), mustColor("#d0d7de"), mustColor("#1f2328"), mustColor("#59636e")}
	darkCard  = cardPalette{mustColor("#0d1117"), mustColor("#3d444d"), mustColor("#f0f6fc"), mustColor("#9198a1")}
)

// palette is what the PNG paints and the SVG sets without a media query.
func (t Theme) palette() cardPalette {
	if t == ThemeDark {
		return darkCard
	}
	return lightCard
}

// cardLine is one line of the text column; muted lines are grey.
type cardLine struct {
	boxes []textBox
	muted []bool
	dot   bool // a status dot before the first box
}

// cardLayout places a card's lines.
type cardLayout struct {
	cardSpec
	lines []cardLine
	dotY  float64
}

func newCardLayout(s cardSpec) *cardLayout {
	l := &cardLayout{cardSpec: s}
	width := float64(cardRight - cardColumn)
	// Widths are rounded up to odd pixels by newText: leave room for it.
	fit := func(text string, face *typeface, px, room float64) textBox {
		return newText(fitText(text, face, px, room-2), face, px, 0)
	}
	type planned struct {
		line cardLine
		lead float64
	}
	var plan []planned
	plan = append(plan, planned{cardLine{boxes: []textBox{fit(s.title, bold, titlePx, width)}, muted: []bool{false}}, titleLead})
	if s.jid != "" {
		plan = append(plan, planned{cardLine{boxes: []textBox{fit(s.jid, regular, linePx, width)}, muted: []bool{true}}, lineLead})
	}
	// The status line: a dot, the word in bold, then the status text.
	word := fit(s.word, bold, linePx, width-statusDot-statusDotGap)
	status := cardLine{boxes: []textBox{word}, muted: []bool{false}, dot: true}
	if s.message != "" {
		// The separator is a box of its own, so that a right-to-left
		// status text does not carry it to its far end.
		sep := newText("·", regular, linePx, 0)
		room := width - statusDot - statusDotGap - word.width - sep.width - 8
		if room > 24 {
			status.boxes = append(status.boxes, sep, fit(s.message, regular, linePx, room))
			status.muted = append(status.muted, true, false)
		}
	}
	plan = append(plan, planned{status, lineLead})
	if s.tune != "" {
		plan = append(plan, planned{cardLine{boxes: []textBox{fit("♪ "+s.tune, regular, linePx, width)}, muted: []bool{false}}, lineLead})
	}
	if s.mood != "" {
		plan = append(plan, planned{cardLine{boxes: []textBox{fit(s.mood, regular, linePx, width)}, muted: []bool{false}}, lineLead})
	}
	if s.details != "" {
		plan = append(plan, planned{cardLine{boxes: []textBox{fit(s.details, regular, linePx, width)}, muted: []bool{true}}, lineLead})
	}
	// The block of lines sits in the middle of the card's height; a
	// baseline lies about a quarter of the lead above the line's bottom.
	total := 0.0
	for _, p := range plan {
		total += p.lead
	}
	y := (cardHeight - total) / 2
	pal := s.theme.palette()
	for _, p := range plan {
		y += p.lead
		baseline := y - p.lead*.27
		x := float64(cardColumn)
		if p.line.dot {
			l.dotY = baseline - linePx*.36
			x += statusDot + statusDotGap
		}
		for i := range p.line.boxes {
			b := &p.line.boxes[i]
			b.x, b.y = x+b.width/2, baseline
			b.fill = pal.text
			if p.line.muted[i] {
				b.fill = pal.muted
			}
			x += b.width + 4
		}
		l.lines = append(l.lines, p.line)
	}
	return l
}

// fitText returns s if it fits in room pixels, else its longest beginning
// that fits with an ellipsis after it.
func fitText(s string, face *typeface, px, room float64) string {
	if w, _ := face.measure(shapeArabic(s), px); w <= room {
		return s
	}
	ell, _ := face.measure("…", px)
	runes := []rune(s)
	lo, hi := 0, len(runes) // the answer n is in [lo, hi)
	for lo+1 < hi {
		mid := (lo + hi) / 2
		if w, _ := face.measure(shapeArabic(string(runes[:mid])), px); w+ell <= room {
			lo = mid
		} else {
			hi = mid
		}
	}
	return strings.TrimRight(string(runes[:lo]), " ") + "…"
}

// accessibleText is what a screen reader says of the card.
func (l *cardLayout) accessibleText() string {
	title := l.title
	if l.jid != "" {
		title += " (" + l.jid + ")"
	}
	status := l.word
	if l.message != "" {
		status += ", " + l.message
	}
	tune := ""
	if l.tune != "" {
		tune = "listening to " + l.tune
	}
	return joinNonEmpty("; ", title+": "+status, tune, l.mood, l.details)
}

// avatarImage decodes the embedded avatar, or the placeholder that
// /avatar serves (avatar.Placeholder), at edge pixels square.
func (l *cardLayout) avatarImage(pic []byte, edge int) image.Image {
	if pic != nil {
		if img, err := png.Decode(bytes.NewReader(pic)); err == nil {
			return img
		}
	}
	img, _ := png.Decode(bytes.NewReader(avatar.Placeholder(l.owner, edge)))
	return img
}
