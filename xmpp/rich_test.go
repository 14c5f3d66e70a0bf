package xmpp

import (
	"bytes"
	"crypto/sha1" //nolint:gosec // XEP-0084 and XEP-0115 name SHA-1
	"encoding/base64"
	"encoding/hex"
	"encoding/xml"
	"image"
	"image/color"
	"image/png"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"mellium.im/xmpp/disco"
	"mellium.im/xmpp/disco/info"

	"badges/avatar"
	"badges/internal/testenv"
	"badges/presence"
)

// clientCaps is what a test client advertises: its disco#info children and
// the matching XEP-0115 presence element.
func clientCaps(t testing.TB, device string) (children, c string) {
	t.Helper()
	i := disco.Info{
		Identity: []info.Identity{{Category: "client", Type: device, Name: "Test " + device}},
		Features: []info.Feature{{Var: nsDiscoInfo}, {Var: nsCaps}, {Var: nsTune + "+notify"}},
	}
	var b strings.Builder
	for _, id := range i.Identity {
		out, err := xml.Marshal(id)
		if err != nil {
			t.Fatal(err)
		}
		b.Write(out)
	}
	for _, f := range i.Features {
		out, err := xml.Marshal(f)
		if err != nil {
			t.Fatal(err)
		}
		b.Write(out)
	}
	ver := i.Hash(sha1.New())
	return b.String(), "<c xmlns='" + nsCaps + "' hash='sha-1' node='https://test.example/" + device + "' ver='" + ver + "'/>"
}

// richClient connects a resource of jid that advertises device and goes
// online with extra presence children.
func richClient(t testing.TB, p *testenv.Prosody, jid, res, device string, prio int, extra string) *testenv.Client {
	t.Helper()
	c := p.Connect(jid, password, res)
	children, caps := clientCaps(t, device)
	c.SetDiscoInfo(children)
	if err := c.SendRaw("<presence><priority>" + strconv.Itoa(prio) + "</priority>" + caps + extra + "</presence>"); err != nil {
		t.Fatal(err)
	}
	return c
}

// awaitJSON waits until the JSON and the WebSocket frame of jid satisfy ok.
func (e *env) awaitJSON(t testing.TB, jid, what string, ok func(body string) bool) string {
	t.Helper()
	deadline := time.Now().Add(wait)
	for {
		en := e.hub.Get(presence.JIDTopic(jid))
		body := string(en.JSON)
		if ok(body) {
			if !strings.Contains(string(en.Frame), body) {
				t.Fatalf("frame %s does not carry %s", en.Frame, body)
			}
			return body
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: no JSON %s within %v; last %s", jid, what, wait, body)
		}
		time.Sleep(10 * time.Millisecond) // polling interval
	}
}

func has(s string) func(string) bool   { return func(b string) bool { return strings.Contains(b, s) } }
func lacks(s string) func(string) bool { return func(b string) bool { return !strings.Contains(b, s) } }

// TestRichPresencePEP: every PEP kind a client publishes appears in JSON
// and WebSocket frames, and disappears when retracted, emptied or hidden.
func TestRichPresencePEP(t *testing.T) {
	p := testenv.StartProsody(t)
	e := start(t, p, Config{}, presence.DirectoryOptions{})
	e.awaitConnected(t, true)
	jid, c := e.optIn(t, "", "phone")
	children, caps := clientCaps(t, "phone")
	c.SetDiscoInfo(children)
	idle := time.Now().Add(-5 * time.Minute).UTC().Truncate(time.Second)
	if err := c.SendRaw("<presence><priority>5</priority>" + caps + "<idle xmlns='urn:xmpp:idle:1' since='" +
		idle.Format(time.RFC3339) + "'/></presence>"); err != nil {
		t.Fatal(err)
	}
	c.Publish(nsTune, "current", "<tune xmlns='"+nsTune+"'><artist>Yes</artist><length>507</length>"+
		"<source>Fragile</source><title>Roundabout</title><track>1</track><uri>https://music.example/1</uri></tune>", wait)
	c.Publish(nsMood, "current", "<mood xmlns='"+nsMood+"'><happy/><text>sunny</text></mood>", wait)
	c.Publish(nsActivity, "current", "<activity xmlns='"+nsActivity+"'><working><coding/></working><text>on badges</text></activity>", wait)
	c.Publish(nsNick, "current", "<nick xmlns='"+nsNick+"'>Alice &amp; co</nick>", wait)

	want := []string{
		`"name":"Alice \u0026 co"`,
		`"devices":["phone"]`,
		`"idle_since":"` + idle.Format(time.RFC3339) + `"`,
		`"tune":{"artist":"Yes","title":"Roundabout","source":"Fragile","track":"1","length":507,"uri":"https://music.example/1"}`,
		`"mood":{"value":"happy","text":"sunny"}`,
		`"activity":{"general":"working","specific":"coding","text":"on badges"}`,
	}
	e.awaitJSON(t, jid, "with every field", func(b string) bool {
		return !slices.ContainsFunc(want, func(w string) bool { return !strings.Contains(b, w) })
	})

	// A second resource, a pc: both client types, sorted.
	pc := richClient(t, p, jid, "desk", "pc", 1, "")
	e.awaitJSON(t, jid, "with both devices", has(`"devices":["pc","phone"]`))

	// Retracted, emptied, hidden: gone, not null.
	c.Retract(nsTune, "current", wait)
	e.awaitJSON(t, jid, "without tune", lacks(`"tune"`))
	c.Publish(nsMood, "current", "<mood xmlns='"+nsMood+"'/>", wait)
	e.awaitJSON(t, jid, "without mood", lacks(`"mood"`))
	if err := c.Say(e.bot, "hide activity"); err != nil {
		t.Fatal(err)
	}
	e.awaitJSON(t, jid, "without activity", lacks(`"activity"`))
	if err := c.Say(e.bot, "privacy"); err != nil {
		t.Fatal(err)
	}
	reply := c.Await(wait, "privacy answer", func(s testenv.Stanza) bool {
		return s.Kind == "message" && strings.HasPrefix(s.Body, "Shown:")
	})
	if !strings.Contains(reply.Body, "Hidden by you: activity.") {
		t.Errorf("privacy answer %q", reply.Body)
	}
	if err := c.Say(e.bot, "hide all"); err != nil {
		t.Fatal(err)
	}
	body := e.awaitJSON(t, jid, "without details", lacks(`"name"`))
	for _, k := range []string{"devices", "idle_since", "activity", "message"} {
		if strings.Contains(body, `"`+k+`"`) {
			t.Errorf("hide all leaves %s: %s", k, body)
		}
	}
	if err := c.Say(e.bot, "show all"); err != nil {
		t.Fatal(err)
	}
	e.awaitJSON(t, jid, "with details again", has(`"activity":{"general":"working"`))
	if rec, _ := stored(t, e.store, jid); rec.HiddenFields() != 0 {
		t.Errorf("stored hidden fields %v after show all", rec.HiddenFields())
	}

	// The pc goes away: its type with it.
	pc.Close()
	e.awaitJSON(t, jid, "with the phone alone", has(`"devices":["phone"]`))
}

// TestCapsLiarNotBelieved: a client whose disco#info does not match the
// ver it announces gets no client type, and its lie is not cached for a
// client that announces the same ver.
func TestCapsLiarNotBelieved(t *testing.T) {
	p := testenv.StartProsody(t)
	e := start(t, p, Config{}, presence.DirectoryOptions{})
	e.awaitConnected(t, true)
	jid, c := e.optIn(t, "", "honest")
	children, caps := clientCaps(t, "phone")
	c.SetDiscoInfo(children)
	if err := c.SendRaw("<presence>" + caps + "</presence>"); err != nil {
		t.Fatal(err)
	}
	e.awaitJSON(t, jid, "with the phone", has(`"devices":["phone"]`))

	// The liar claims a pc's ver but answers as a "tablet".
	_, pcCaps := clientCaps(t, "pc")
	tablet, _ := clientCaps(t, "tablet")
	liar := p.Connect(jid, password, "liar")
	liar.SetDiscoInfo(tablet)
	if err := liar.SendRaw("<presence>" + pcCaps + "</presence>"); err != nil {
		t.Fatal(err)
	}
	// Once the liar answered the watcher's disco#info, a ping through the
	// watcher's session, which handles stanzas in order, comes back only
	// after the answer was judged.
	deadline := time.Now().Add(wait)
	for liar.DiscoAnswers() == 0 {
		if time.Now().After(deadline) {
			t.Fatal("the watcher never asked the liar's capabilities")
		}
		time.Sleep(10 * time.Millisecond) // polling interval
	}
	liar.Ping(e.bot+"/"+e.w.cfg.Resource, wait)
	if body := string(e.hub.Get(presence.JIDTopic(jid)).JSON); strings.Contains(body, "tablet") || strings.Contains(body, `"pc"`) {
		t.Fatalf("a lie believed: %s", body)
	}
	// An honest pc with the same ver is asked again and believed.
	pc := richClient(t, p, jid, "desk", "pc", 0, "")
	defer pc.Close()
	e.awaitJSON(t, jid, "with the honest pc", has(`"devices":["pc","phone"]`))
}

// pngOf returns a w x h PNG of one colour.
func pngOf(t testing.TB, w, h int, c color.NRGBA) []byte {
	t.Helper()
	img := image.NewNRGBA(image.Rect(0, 0, w, h))
	for i := 0; i < len(img.Pix); i += 4 {
		img.Pix[i], img.Pix[i+1], img.Pix[i+2], img.Pix[i+3] = c.R, c.G, c.B, c.A
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func sha1Hex(b []byte) string {
	s := sha1.Sum(b) //nolint:gosec // see the import
	return hex.EncodeToString(s[:])
}

// publishAvatar publishes data (XEP-0084) with metadata claiming size bytes.
func publishAvatar(t testing.TB, c *testenv.Client, data []byte, size int) string {
	t.Helper()
	id := sha1Hex(data)
	c.Publish(nsAvatarData, id, "<data xmlns='"+nsAvatarData+"'>"+base64.StdEncoding.EncodeToString(data)+"</data>", wait)
	c.Publish(nsAvatarMeta, id, "<metadata xmlns='"+nsAvatarMeta+"'><info id='"+id+"' bytes='"+strconv.Itoa(size)+
		"' type='image/png' width='10' height='10'/></metadata>", wait)
	return id
}

// avatarColour is the colour at the centre of picture id at size.
func avatarColour(t testing.TB, s *avatar.Store, id string, size int) color.NRGBA {
	t.Helper()
	b, ok := s.Image(id, size)
	if !ok {
		t.Fatalf("picture %s not stored", id)
	}
	img, err := png.Decode(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	if img.Bounds().Dx() != size || img.Bounds().Dy() != size {
		t.Fatalf("picture at %d is %v", size, img.Bounds())
	}
	return color.NRGBAModel.Convert(img.At(size/2, size/2)).(color.NRGBA)
}

// avatarID reads the picture id out of a JSON body.
func avatarIDOf(t testing.TB, body string) string {
	t.Helper()
	var p presence.Presence
	if err := p.UnmarshalJSON([]byte(body)); err != nil {
		t.Fatal(err)
	}
	return p.Details.AvatarID
}

// TestSlowPictureHoldsNobodyUp: while a picture is being decoded (a large
// one takes about half a second; here decoding is held up until the test
// lets it go), the watcher goes on reading, so another contact's presence
// shows before that picture does.
func TestSlowPictureHoldsNobodyUp(t *testing.T) {
	started, release := make(chan struct{}), make(chan struct{})
	var once sync.Once
	normalize = func(data []byte) ([]byte, string, error) {
		once.Do(func() { close(started) })
		<-release
		return avatar.Normalize(data)
	}
	t.Cleanup(func() { normalize = avatar.Normalize }) // after the watcher's own cleanup
	defer func() {
		select {
		case <-release:
		default:
			close(release)
		}
	}()
	p := testenv.StartProsody(t)
	store := avatar.NewStore(0)
	e := start(t, p, Config{Avatars: store}, presence.DirectoryOptions{})
	e.awaitConnected(t, true)
	slow, sc := e.optIn(t, "", "phone")
	other, oc := e.optIn(t, "", "pc")
	e.awaitJSON(t, other, "online", has(`"status":"available"`))

	pic := pngOf(t, 40, 40, color.NRGBA{R: 255, A: 255})
	publishAvatar(t, sc, pic, len(pic))
	select {
	case <-started:
	case <-time.After(wait):
		t.Fatal("the watcher never began decoding the picture")
	}
	if err := oc.SetPresence("dnd", "meanwhile", 0); err != nil {
		t.Fatal(err)
	}
	e.awaitJSON(t, other, "dnd while the picture is being decoded", has(`"status":"dnd"`))
	if body := string(e.hub.Get(presence.JIDTopic(slow)).JSON); strings.Contains(body, `"avatar"`) {
		t.Fatalf("the picture shows before its decoding ended: %s", body)
	}
	close(release)
	e.awaitJSON(t, slow, "with the picture once decoded", has(`"avatar"`))
}

// TestAvatarsPEPAndVCard: pictures from XEP-0084 and from a vCard,
// re-encoded at several sizes; a corrupt picture and oversized ones are
// ignored; vCard names are used when there is no PEP nick.
func TestAvatarsPEPAndVCard(t *testing.T) {
	p := testenv.StartProsody(t)
	store := avatar.NewStore(0)
	e := start(t, p, Config{Avatars: store}, presence.DirectoryOptions{})
	e.awaitConnected(t, true)

	// XEP-0084 on the main domain.
	jid, c := e.optIn(t, "", "phone")
	red := color.NRGBA{R: 255, A: 255}
	publishAvatar(t, c, pngOf(t, 40, 30, red), len(pngOf(t, 40, 30, red)))
	body := e.awaitJSON(t, jid, "with a picture", has(`"avatar":"/avatar/`+jid+`.png?v=`))
	id := avatarIDOf(t, body)
	for _, size := range []int{16, 128, 512} {
		if got := avatarColour(t, store, id, size); got != red {
			t.Errorf("size %d: centre %v, want red", size, got)
		}
	}
	// A corrupt picture replaces it: none is shown.
	corrupt := []byte("\x89PNG\r\n\x1a\nnot really")
	publishAvatar(t, c, corrupt, len(corrupt))
	e.awaitJSON(t, jid, "without the old picture", lacks(`"avatar"`))
	// One announced over 1 MiB is not even fetched; one that lies about
	// its size is fetched and refused.
	green := color.NRGBA{G: 255, A: 255}
	publishAvatar(t, c, pngOf(t, 20, 20, green), len(pngOf(t, 20, 20, green)))
	e.awaitJSON(t, jid, "with the green picture", has(`"avatar"`))
	big := make([]byte, avatar.MaxBytes+1000)
	copy(big, pngOf(t, 8, 8, red))
	publishAvatar(t, c, big, len(big))
	e.awaitJSON(t, jid, "without a picture over 1 MiB", lacks(`"avatar"`))
	publishAvatar(t, c, pngOf(t, 20, 20, green), len(pngOf(t, 20, 20, green)))
	e.awaitJSON(t, jid, "with the green picture again", has(`"avatar"`))
	publishAvatar(t, c, big, 1000)
	e.awaitJSON(t, jid, "without a picture that lied about its size", lacks(`"avatar"`))

	// XEP-0153 on the other domain, whose vCards stay vCards.
	vjid := newUser(t, p, p.OtherDomain)
	vc := p.Connect(vjid, password, "pc")
	blue := color.NRGBA{B: 255, A: 255}
	photo := pngOf(t, 30, 40, blue)
	if ans := vc.Request("set", "", "<vCard xmlns='vcard-temp'><FN>Victor Card</FN><NICKNAME>vic</NICKNAME><PHOTO><TYPE>image/png</TYPE><BINVAL>"+
		base64.StdEncoding.EncodeToString(photo)+"</BINVAL></PHOTO></vCard>", wait); ans.Type != "result" {
		t.Fatalf("vCard not stored: %+v", ans)
	}
	if err := vc.Subscription(e.bot, "subscribe"); err != nil {
		t.Fatal(err)
	}
	vc.AwaitPresence(wait, e.bot, "subscribe")
	if err := vc.Subscription(e.bot, "subscribed"); err != nil {
		t.Fatal(err)
	}
	if err := vc.SendRaw("<presence><x xmlns='vcard-temp:x:update'><photo>" + sha1Hex(photo) + "</photo></x></presence>"); err != nil {
		t.Fatal(err)
	}
	body = e.awaitJSON(t, vjid, "with the vCard's name and photo", func(b string) bool {
		return strings.Contains(b, `"name":"vic"`) && strings.Contains(b, `"avatar"`)
	})
	vid := avatarIDOf(t, body)
	for _, size := range []int{32, 256} {
		if got := avatarColour(t, store, vid, size); got != blue {
			t.Errorf("vCard size %d: centre %v, want blue", size, got)
		}
	}
	// The photo goes: so does the picture; the name falls back to FN.
	if ans := vc.Request("set", "", "<vCard xmlns='vcard-temp'><FN>Victor Card</FN></vCard>", wait); ans.Type != "result" {
		t.Fatalf("vCard not stored: %+v", ans)
	}
	if err := vc.SendRaw("<presence><x xmlns='vcard-temp:x:update'><photo/></x></presence>"); err != nil {
		t.Fatal(err)
	}
	e.awaitJSON(t, vjid, "with FN and no picture", func(b string) bool {
		return strings.Contains(b, `"name":"Victor Card"`) && !strings.Contains(b, `"avatar"`)
	})
}

// TestLastActivityAtStart: a contact offline when a watcher starts without
// any record of it gets its last_seen from XEP-0012.
func TestLastActivityAtStart(t *testing.T) {
	p := testenv.StartProsody(t)
	e := start(t, p, Config{}, presence.DirectoryOptions{})
	e.awaitConnected(t, true)
	jid, c := e.optIn(t, "", "phone")
	e.awaitStatus(t, jid, presence.Available, "")
	bot := e.bot
	e.stop(t)
	c.Close()
	left := time.Now()
	time.Sleep(1100 * time.Millisecond) // so that the server counts a second

	e2 := start(t, p, Config{JID: bot, Password: password}, presence.DirectoryOptions{})
	got := e2.awaitPresence(t, jid, "offline with last_seen", func(p presence.Presence) bool {
		return p.Status == presence.Offline && !p.LastSeen.IsZero()
	})
	if d := got.LastSeen.Sub(left); d < -3*time.Second || d > 3*time.Second {
		t.Errorf("last_seen %v, want about %v", got.LastSeen, left)
	}
	if rec, _ := stored(t, e2.store, jid); !rec.LastSeen.Equal(got.LastSeen) {
		t.Errorf("stored last_seen %v, want %v", rec.LastSeen, got.LastSeen)
	}
}
