package web

import (
	"encoding/base64"
	"net/http"
	"strings"
	"testing"
	"time"

	"badges/avatar"
	"badges/presence"
	"badges/render"
	"badges/web/respond"
)

func TestCardRoute(t *testing.T) {
	now := time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)
	clock := now
	f := newFixture(t, Options{Now: func() time.Time { return clock }})
	const jid = "alice@example.com"
	f.online(t, jid, presence.DND, "In a meeting")

	res, body := f.do(t, "GET", "/card/"+jid+".svg?theme=dark", nil)
	if res.StatusCode != http.StatusOK || !strings.HasPrefix(res.Header.Get("Content-Type"), "image/svg+xml") {
		t.Fatalf("card: %d %s", res.StatusCode, res.Header.Get("Content-Type"))
	}
	for _, want := range []string{"do not disturb", "In a meeting", jid, `width="400"`, `height="120"`} {
		if !strings.Contains(body, want) {
			t.Errorf("card lacks %q:\n%s", want, body)
		}
	}
	for k, want := range map[string]string{
		"Cache-Control": "no-cache", "X-Content-Type-Options": "nosniff",
		"Access-Control-Allow-Origin": "*", "Content-Security-Policy": respond.CSPImage,
	} {
		if got := res.Header.Get(k); got != want {
			t.Errorf("%s: %q, want %q", k, got, want)
		}
	}
	etag := res.Header.Get("Etag")
	if res, _ := f.do(t, "GET", "/card/"+jid+".svg?theme=dark", map[string]string{"If-None-Match": etag}); res.StatusCode != http.StatusNotModified {
		t.Errorf("revalidation: %d, want 304", res.StatusCode)
	}
	if res, _ := f.do(t, "GET", "/card/"+jid+".png", nil); res.StatusCode != http.StatusOK || res.Header.Get("Content-Type") != respond.TypePNG {
		t.Errorf("PNG card: %d %s", res.StatusCode, res.Header.Get("Content-Type"))
	}

	// Offline, the card says when it was last seen, counted at answer time:
	// its ETag follows the words.
	f.offline(t, jid, "phone")
	clock = time.Now().Add(3*time.Hour + time.Minute)
	res, body = f.do(t, "GET", "/card/"+jid+".svg", nil)
	if !strings.Contains(body, "last seen 3 hours ago") {
		t.Errorf("offline card lacks last seen:\n%s", body)
	}
	first := res.Header.Get("Etag")
	clock = clock.Add(10 * time.Second)
	if res, _ := f.do(t, "GET", "/card/"+jid+".svg", nil); res.Header.Get("Etag") != first {
		t.Error("the ETag changed while the words stayed")
	}
	clock = clock.Add(time.Hour)
	res, body = f.do(t, "GET", "/card/"+jid+".svg", nil)
	if res.Header.Get("Etag") == first || !strings.Contains(body, "last seen 4 hours ago") {
		t.Errorf("an hour later: ETag %s, body\n%s", res.Header.Get("Etag"), body)
	}
}

func TestCardErrors(t *testing.T) {
	f := newFixture(t, Options{})
	for path, code := range map[string]int{
		"/card/alice@example.com":     http.StatusNotFound,
		"/card/alice@example.com.gif": http.StatusNotFound,
		"/card/@@.svg":                http.StatusBadRequest,
		"/card/a@b@c.png":             http.StatusBadRequest,
	} {
		res, _ := f.do(t, "GET", path, nil)
		if res.StatusCode != code || !strings.HasPrefix(res.Header.Get("Content-Type"), "image/") {
			t.Errorf("%s: %d %s, want %d and an image", path, res.StatusCode, res.Header.Get("Content-Type"), code)
		}
	}
}

// The card draws the rich presence the reader may see: name, picture,
// tune, mood; a hidden field is left out, and a JID nobody may see gets
// the card of one that does not exist, byte for byte.
func TestCardRich(t *testing.T) {
	const jid = "alice@example.com"
	store := pictures(t)
	f := newFixture(t, Options{Avatars: store})
	_, unknown := f.do(t, "GET", "/card/"+jid+".svg", nil)
	f.online(t, jid, presence.Available, "")
	f.dir.SetProfile(jid, richProfile())
	pic, ok := store.Image(redPicture, render.CardAvatarSizes[0])
	if !ok {
		t.Fatal("store lost the picture")
	}
	_, body := f.do(t, "GET", "/card/"+jid+".svg", nil)
	for _, want := range []string{"Alice", jid, "♪ Roundabout", "happy", base64.StdEncoding.EncodeToString(pic)} {
		if !strings.Contains(body, want) {
			t.Errorf("card lacks %q", want)
		}
	}
	if len(body) > 64<<10 {
		t.Errorf("card of %d bytes, over 64 KiB", len(body))
	}
	mustNil(t, f.dir.SetChoice(jid, false, presence.FieldSet(presence.FieldAvatar).With(presence.FieldTune)))
	_, body = f.do(t, "GET", "/card/"+jid+".svg", nil)
	if strings.Contains(body, base64.StdEncoding.EncodeToString(pic)) || strings.Contains(body, "Roundabout") {
		t.Error("hidden picture or tune drawn")
	}
	if !strings.Contains(body, "happy") || !strings.Contains(body, "Alice") {
		t.Error("a field still shared is missing")
	}
	mustNil(t, f.dir.SetChoice(jid, true, 0))
	if _, body := f.do(t, "GET", "/card/"+jid+".svg", nil); body != unknown {
		t.Error("an invisible JID's card differs from an unknown JID's")
	}
}

// sizedPictures holds one picture whose PNG is too large for a card at
// the sizes in big.
type sizedPictures struct {
	*avatar.Store
	big map[int]bool
}

func (p sizedPictures) Image(id string, size int) ([]byte, bool) {
	b, ok := p.Store.Image(id, size)
	if ok && p.big[size] {
		b = append(b, make([]byte, render.MaxCardAvatar)...) // PNG ignores bytes after IEND
	}
	return b, ok
}

// A picture too large for the card is offered smaller; when no size
// fits, the card shows the placeholder.
func TestCardPictureTooLarge(t *testing.T) {
	const jid = "alice@example.com"
	store := pictures(t)
	sizes := render.CardAvatarSizes
	pics := sizedPictures{store, map[int]bool{sizes[0]: true}}
	f := newFixture(t, Options{Avatars: pics})
	_, unknown := f.do(t, "GET", "/card/"+jid+".svg", nil)
	f.online(t, jid, presence.Available, "")
	f.dir.SetProfile(jid, richProfile())
	small, _ := store.Image(redPicture, sizes[1])
	if _, body := f.do(t, "GET", "/card/"+jid+".svg", nil); !strings.Contains(body, base64.StdEncoding.EncodeToString(small)) {
		t.Errorf("the card does not hold the picture at %d px", sizes[1])
	}
	for _, s := range sizes {
		pics.big[s] = true
	}
	_, body := f.do(t, "GET", "/card/"+jid+".svg", nil)
	if !strings.HasPrefix(placeholderOf(unknown), "data:image/png;base64,") {
		t.Fatalf("no placeholder in the unknown card:\n%s", unknown)
	}
	if len(body) > 64<<10 || !strings.Contains(body, placeholderOf(unknown)) {
		t.Errorf("no size fits: %d bytes, placeholder shown: %v", len(body), strings.Contains(body, placeholderOf(unknown)))
	}
}

// placeholderOf is the data: URI an SVG card embeds.
func placeholderOf(card string) string {
	_, after, _ := strings.Cut(card, `href="`)
	uri, _, _ := strings.Cut(after, `"`)
	return uri
}
