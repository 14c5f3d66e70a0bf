package web

import (
	"bytes"
	"image"
	"image/color"
	"image/png"
	"strconv"
	"strings"
	"testing"

	"badges/avatar"
	"badges/presence"
)

// redPicture is the id of the red picture pictures holds.
var redPicture string

// pictures is a store holding one red picture, redPicture.
func pictures(t *testing.T) *avatar.Store {
	t.Helper()
	img := image.NewNRGBA(image.Rect(0, 0, 60, 40))
	for i := 0; i < len(img.Pix); i += 4 {
		copy(img.Pix[i:], []byte{255, 0, 0, 255})
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	pic, id, err := avatar.Normalize(buf.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	s := avatar.NewStore(0)
	s.Set("owner pep", id, pic)
	redPicture = id
	return s
}

// richProfile sets every detail, with the red picture of pictures.
func richProfile() presence.Profile {
	return presence.Profile{
		Nick: "Alice", PEPAvatar: redPicture, Tune: &presence.Tune{Title: "Roundabout"},
		Mood: &presence.Mood{Value: "happy"}, Activity: &presence.Activity{General: "working"},
	}
}

// centre decodes a PNG answer and returns its size and centre colour.
func centre(t *testing.T, body string) (int, color.NRGBA) {
	t.Helper()
	img, err := png.Decode(strings.NewReader(body))
	if err != nil {
		t.Fatalf("not a PNG: %v", err)
	}
	b := img.Bounds()
	if b.Dx() != b.Dy() {
		t.Fatalf("not square: %v", b)
	}
	return b.Dx(), color.NRGBAModel.Convert(img.At(b.Dx()/2, b.Dy()/2)).(color.NRGBA)
}

func TestAvatarRoute(t *testing.T) {
	const jid = "alice@example.com"
	store := pictures(t)
	f := newFixture(t, Options{Avatars: store})
	_, placeholder := f.do(t, "GET", "/avatar/"+jid+".png?size=64", nil)

	f.online(t, jid, presence.Available, "")
	f.dir.SetProfile(jid, richProfile())
	_, js := f.do(t, "GET", "/api/v1/presence/"+jid, nil)
	if !strings.Contains(js, `"avatar":"/avatar/`+jid+`.png?v=`+redPicture+`"`) {
		t.Fatalf("JSON without the picture: %s", js)
	}
	for _, size := range []int{16, 64, 512} {
		res, body := f.do(t, "GET", "/avatar/"+jid+".png?size="+strconv.Itoa(size), nil)
		if n, c := centre(t, body); res.StatusCode != 200 || n != size || c != (color.NRGBA{R: 255, A: 255}) {
			t.Errorf("size %d: %d, %d px, centre %v", size, res.StatusCode, n, c)
		}
		if ct := res.Header.Get("Content-Type"); ct != "image/png" {
			t.Errorf("content type %q", ct)
		}
		etag := res.Header.Get("ETag")
		if res, _ := f.do(t, "GET", "/avatar/"+jid+".png?size="+strconv.Itoa(size), map[string]string{"If-None-Match": etag}); res.StatusCode != 304 {
			t.Errorf("size %d: revalidation %d, want 304", size, res.StatusCode)
		}
	}
	if _, body := f.do(t, "GET", "/avatar/"+jid+".png", nil); func() bool { n, _ := centre(t, body); return n != avatar.DefaultSize }() {
		t.Errorf("default size is not %d", avatar.DefaultSize)
	}
	// Hidden by the user: the placeholder, as before badges knew the JID.
	mustNil(t, f.dir.SetChoice(jid, false, presence.FieldSet(presence.FieldAvatar)))
	if _, body := f.do(t, "GET", "/avatar/"+jid+".png?size=64", nil); body != placeholder {
		t.Error("hidden picture: not the placeholder of an unknown JID")
	}
	_, js = f.do(t, "GET", "/api/v1/presence/"+jid, nil)
	if strings.Contains(js, `"avatar"`) || !strings.Contains(js, `"name":"Alice"`) {
		t.Errorf("hidden picture, JSON %s", js)
	}

	for _, bad := range []string{"?size=15", "?size=513", "?size=abc", "?size=64.0"} {
		if res, _ := f.do(t, "GET", "/avatar/"+jid+".png"+bad, nil); res.StatusCode != 400 || res.Header.Get("Content-Type") != "image/png" {
			t.Errorf("%s: %d %s, want 400 with an image", bad, res.StatusCode, res.Header.Get("Content-Type"))
		}
	}
	// An <img> never breaks: errors are images too.
	if res, _ := f.do(t, "GET", "/avatar/"+jid+".jpg", nil); res.StatusCode != 404 || !strings.HasPrefix(res.Header.Get("Content-Type"), "image/") {
		t.Errorf(".jpg: %d %s, want 404 with an image", res.StatusCode, res.Header.Get("Content-Type"))
	}
	if res, _ := f.do(t, "GET", "/avatar/a@b@c.png", nil); res.StatusCode != 400 || res.Header.Get("Content-Type") != "image/png" {
		t.Errorf("invalid JID: %d %s, want 400 with an image", res.StatusCode, res.Header.Get("Content-Type"))
	}
}

// Not shared by the operator: the placeholder and no avatar in the JSON.
func TestAvatarNotShared(t *testing.T) {
	const jid = "alice@example.com"
	store := pictures(t)
	hubFixture := newFixtureWith(t, Options{Avatars: store}, presence.DirectoryOptions{ShowMessages: true,
		Share: presence.AllFields.Without(presence.FieldAvatar)})
	_, placeholder := hubFixture.do(t, "GET", "/avatar/"+jid+".png", nil)
	hubFixture.online(t, jid, presence.Available, "")
	hubFixture.dir.SetProfile(jid, richProfile())
	if _, body := hubFixture.do(t, "GET", "/avatar/"+jid+".png", nil); body != placeholder {
		t.Error("unshared picture served")
	}
	if _, js := hubFixture.do(t, "GET", "/api/v1/presence/"+jid, nil); strings.Contains(js, `"avatar"`) {
		t.Errorf("unshared picture in JSON: %s", js)
	}
}
