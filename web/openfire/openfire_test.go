package openfire

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"

	"badges/internal/hubtest"
	"badges/presence"
	"badges/render"
	"badges/visibility"
)

const openfirePath = "/plugins/presence/status?jid="

// fixture is a Handler over a real hub and directory, public visibility.
type fixture struct {
	hub *hubtest.Recorder
	dir *presence.Directory
	h   *Handler
}

func newFixture(t *testing.T, opt Options) *fixture {
	t.Helper()
	hub, dir := hubtest.Directory(t)
	opt.Visibility = visibility.New(hub, nil)
	return &fixture{hub: hub, dir: dir, h: New(opt)}
}

// do sends a request and returns the recorded response and its body.
func (f *fixture) do(t *testing.T, method, target string, hdr map[string]string) (*http.Response, string) {
	t.Helper()
	return hubtest.Do(t, f.h, method, target, "", hdr)
}

// online makes jid visible and online with one resource.
func (f *fixture) online(t *testing.T, jid string, st presence.Status, msg string) {
	hubtest.Online(t, f.dir, jid, st, msg)
}

func TestOpenfireStatuses(t *testing.T) {
	f := newFixture(t, Options{})
	tests := []struct {
		status      presence.Status
		msg         string
		image, text string
		xml         string
	}{
		{presence.Available, "", "available", "Available",
			`<presence from="alice@example.com"></presence>`},
		{presence.Available, "Hi & bye", "available", "Hi & bye",
			`<presence from="alice@example.com"><status>Hi &amp; bye</status></presence>`},
		{presence.Chat, "", "chat", "Free to chat",
			`<presence from="alice@example.com"><show>chat</show></presence>`},
		{presence.Away, "<lunch>", "away", "<lunch>",
			`<presence from="alice@example.com"><show>away</show><status>&lt;lunch&gt;</status></presence>`},
		{presence.XA, "", "xa", "Extended away",
			`<presence from="alice@example.com"><show>xa</show></presence>`},
		{presence.DND, "", "dnd", "Do not disturb",
			`<presence from="alice@example.com"><show>dnd</show></presence>`},
		{presence.Offline, "", "offline", "Unavailable",
			`<presence type="unavailable" from="alice@example.com"><status>Unavailable</status></presence>`},
	}
	for _, tt := range tests {
		f.online(t, "alice@example.com", tt.status, tt.msg)
		if tt.status == presence.Offline {
			hubtest.Offline(t, f.hub, f.dir, "alice@example.com", "phone")
		}
		want, _ := render.OpenfireImage(tt.image)
		for _, path := range []string{openfirePath + "alice@example.com", openfirePath + "Alice@Example.com/phone&type=image"} {
			res, body := f.do(t, "GET", path, nil)
			if res.StatusCode != 200 || res.Header.Get("Content-Type") != "image/png" || body != string(want.Body) {
				t.Errorf("%s %s: image %d %s, not Openfire's %s", tt.status, path, res.StatusCode, res.Header.Get("Content-Type"), tt.image)
			}
		}
		res, body := f.do(t, "GET", openfirePath+"alice@example.com&type=text", nil)
		if res.StatusCode != 200 || body != tt.text+"\n" || res.Header.Get("Content-Type") != typeOpenfireText {
			t.Errorf("%s: text %d %q %s, want %q", tt.status, res.StatusCode, body, res.Header.Get("Content-Type"), tt.text)
		}
		res, body = f.do(t, "GET", openfirePath+"alice@example.com&type=xml", nil)
		if res.StatusCode != 200 || body != tt.xml+"\n" || res.Header.Get("Content-Type") != typeOpenfireXML {
			t.Errorf("%s: xml %d %q, want %q", tt.status, res.StatusCode, body, tt.xml)
		}
		for _, h := range []string{"ETag", "Cache-Control", "X-Content-Type-Options", "Access-Control-Allow-Origin"} {
			if res.Header.Get(h) == "" {
				t.Errorf("%s: no %s", tt.status, h)
			}
		}
	}
}

func TestOpenfireForbidden(t *testing.T) {
	f := newFixture(t, Options{})
	forbidden, _ := render.OpenfireImage("forbidden")
	if _, body := f.do(t, "GET", openfirePath+"nobody@example.com", nil); body != string(forbidden.Body) {
		t.Error("an unknown JID does not get the forbidden image")
	}
	if _, body := f.do(t, "GET", openfirePath+"nobody@example.com&type=text", nil); body != "Forbidden\n" {
		t.Errorf("text = %q", body)
	}
	const wantXML = `<presence type="error" from="nobody@example.com"><error code="403" type="auth">` +
		`<forbidden xmlns="urn:ietf:params:xml:ns:xmpp-stanzas"/></error></presence>` + "\n"
	if _, body := f.do(t, "GET", openfirePath+"nobody@example.com&type=xml&req_jid=admin@example.com", nil); body != wantXML {
		t.Errorf("xml = %q", body)
	}
	// A visible JID whose status is unknown looks the same.
	if got := string(openfireXMLOf(presence.Presence{JID: "nobody@example.com", Status: presence.Unknown, Message: "x"})); got != wantXML {
		t.Errorf("unknown status xml = %q", got)
	}
	if got := render.OpenfireText(presence.Presence{Status: presence.Unknown, Message: "x"}); got != "Forbidden" {
		t.Errorf("unknown status text = %q", got)
	}
}

func TestOpenfireRedirect(t *testing.T) {
	var fetched atomic.Int32
	peer := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { fetched.Add(1) }))
	defer peer.Close()
	peerURL, _ := url.Parse(peer.URL)

	f := newFixture(t, Options{RedirectHosts: []string{"img.example.com", "[::1]", peerURL.Hostname()}})
	f.online(t, "alice@example.com", presence.DND, "")
	q := func(params string) string { return openfirePath + "alice@example.com&" + params }
	esc := url.QueryEscape
	tests := []struct {
		path     string
		code     int
		location string
	}{
		{q("images=" + esc("https://img.example.com/icons/--IMAGE--.gif")), 302, "https://img.example.com/icons/dnd.gif"},
		{q("images=" + esc("HTTP://IMG.example.com:8080/--IMAGE--/--IMAGE--")), 302, "http://IMG.example.com:8080/dnd/dnd"},
		{q("dnd=" + esc("https://img.example.com/busy.gif") + "&images=" + esc("https://img.example.com/--IMAGE--")), 302, "https://img.example.com/busy.gif"},
		{q("available=" + esc("https://img.example.com/on.gif")), 200, ""}, // not this status: the default image
		{q("dnd=" + esc("https://[::1]/busy.gif")), 302, "https://[::1]/busy.gif"},
		{q("dnd=" + esc(peer.URL+"/busy.gif")), 302, peer.URL + "/busy.gif"},
		{q("images=" + esc("https://evil.example.com/--IMAGE--")), 400, ""},
		{q("images=" + esc("https://img.example.com.evil.com/--IMAGE--")), 400, ""},
		{q("images=" + esc("https://--IMAGE--.example.com/x")), 400, ""},
		{q("images=" + esc("ftp://img.example.com/--IMAGE--")), 400, ""},
		{q("images=" + esc("javascript:alert(1)//img.example.com")), 400, ""},
		{q("images=" + esc("//img.example.com/--IMAGE--")), 400, ""},
		{q("images=" + esc("/--IMAGE--.gif")), 400, ""},
		{q("images=" + esc("https://user:pw@img.example.com/--IMAGE--")), 400, ""},
		{q("images=" + esc("https://evil.com\\@img.example.com/")), 400, ""},
		{q("images=" + esc("https://evil.com#@img.example.com/")), 400, ""},
		{q("available=" + esc("https://evil.example.com/on.gif")), 400, ""}, // checked whatever the status
		{q("forbidden=" + esc("https://evil.example.com/x.gif")), 400, ""},
		{q("type=text&images=" + esc("https://evil.example.com/--IMAGE--")), 200, ""}, // only images redirect
	}
	for _, tt := range tests {
		res, body := f.do(t, "GET", tt.path, nil)
		if res.StatusCode != tt.code || res.Header.Get("Location") != tt.location {
			t.Errorf("%s = %d Location %q, want %d %q", tt.path, res.StatusCode, res.Header.Get("Location"), tt.code, tt.location)
		}
		switch tt.code {
		case 302:
			if body != "" || res.Header.Get("Cache-Control") != "no-cache" {
				t.Errorf("%s: redirect with body %q, Cache-Control %q", tt.path, body, res.Header.Get("Cache-Control"))
			}
		case 400:
			if res.Header.Get("Content-Type") != "image/png" {
				t.Errorf("%s: error is %s, not an image", tt.path, res.Header.Get("Content-Type"))
			}
		}
	}
	// An invisible JID redirects to the forbidden image.
	res, _ := f.do(t, "GET", openfirePath+"nobody@example.com&images="+esc("https://img.example.com/--IMAGE--.gif"), nil)
	if res.Header.Get("Location") != "https://img.example.com/forbidden.gif" {
		t.Errorf("invisible redirect to %q", res.Header.Get("Location"))
	}
	if n := fetched.Load(); n != 0 {
		t.Errorf("the server fetched a redirect URL %d times", n)
	}
}

func TestOpenfirePost(t *testing.T) {
	f := newFixture(t, Options{})
	f.online(t, "alice@example.com", presence.Away, "")
	etag := ""
	post := func(target, form string) (*http.Response, string) {
		req := httptest.NewRequest("POST", target, strings.NewReader(form))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		if etag != "" {
			req.Header.Set("If-None-Match", etag)
		}
		rec := httptest.NewRecorder()
		f.h.ServeHTTP(rec, req)
		return rec.Result(), rec.Body.String()
	}
	if res, body := post("/plugins/presence/status", "jid=alice%40example.com&type=text"); res.StatusCode != 200 || body != "Away\n" {
		t.Errorf("POST form = %d %q", res.StatusCode, body)
	}
	// The query's value comes first, as a servlet's getParameter takes it.
	if _, body := post("/plugins/presence/status?type=xml", "jid=alice@example.com&type=text"); !strings.HasPrefix(body, "<presence") {
		t.Errorf("POST with query type = %q", body)
	}
	// A write is never answered 304.
	res, _ := post("/plugins/presence/status?jid=alice@example.com", "")
	etag = res.Header.Get("ETag")
	if res2, body := post("/plugins/presence/status?jid=alice@example.com", ""); res2.StatusCode != 200 || body == "" {
		t.Errorf("POST with If-None-Match = %d", res2.StatusCode)
	}
}

func TestOpenfireErrors(t *testing.T) {
	f := newFixture(t, Options{})
	tests := []struct {
		query string
		ctype string
		says  string
	}{
		{"", "image/png", ""},
		{"jid=", "image/png", ""},
		{"jid=a@b@c", "image/png", ""},
		{"jid=a@b@c&type=text", typeOpenfireText, "invalid JID"},
		{"jid=a@b@c&type=xml", typeOpenfireXML, "<jid-malformed"},
		{"type=xml", typeOpenfireXML, "<jid-malformed"},
		{"jid=alice@example.com&type=json", typeOpenfireText, "type"},
	}
	for _, tt := range tests {
		res, body := f.do(t, "GET", "/plugins/presence/status?"+tt.query, nil)
		if res.StatusCode != http.StatusBadRequest || res.Header.Get("Content-Type") != tt.ctype || !strings.Contains(body, tt.says) {
			t.Errorf("%q = %d %s %q", tt.query, res.StatusCode, res.Header.Get("Content-Type"), body)
		}
	}
	// The error image says what is wrong.
	_, bad := f.do(t, "GET", "/plugins/presence/status?jid=a@b@c", nil)
	if want := render.ErrorBadge("invalid JID", render.Options{}, render.PNG); bad != string(want.Body) {
		t.Error("the invalid JID image does not say so")
	}
}
