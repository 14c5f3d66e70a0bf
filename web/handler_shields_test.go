package web

import (
	"encoding/json"
	"fmt"
	"html"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"testing"

	"badges/presence"
	"badges/render"
	"badges/web/respond"
)

func TestShields(t *testing.T) {
	f := newFixture(t, Options{})
	f.online(t, "alice@example.com", presence.DND, "In a meeting")
	f.dir.SetRoom("chat@rooms.example.com", 2)

	tests := []struct {
		path string
		want map[string]any
	}{
		{"/shields/alice@example.com.json", map[string]any{
			"schemaVersion": 1.0, "label": "alice@example.com", "message": "do not disturb", "color": "red"}},
		{"/shields/Alice%40Example.com%2Fphone.json", map[string]any{"label": "alice@example.com"}},
		{"/shields/alice@example.com.json?message=text&label=Alice&dnd=purple&labelColor=blue&style=flat-square&logo=xmpp",
			map[string]any{"label": "Alice", "message": "In a meeting", "color": "#800080", "labelColor": "#007ec6",
				"style": "flat-square", "namedLogo": "xmpp"}},
		{"/shields/alice@example.com.json?color=ABC&label=", map[string]any{"label": "", "color": "#abc"}},
		{"/shields/alice@example.com.json?style=wavy", map[string]any{"style": "flat"}},
		{"/shields/nobody@example.com.json", map[string]any{"message": "unknown", "color": "lightgrey"}},
		{"/shields/room/chat@rooms.example.com.json", map[string]any{
			"schemaVersion": 1.0, "label": "chat", "message": "2 online", "color": "brightgreen"}},
		{"/shields/room/empty@rooms.example.com.json", map[string]any{"message": "0 online", "color": "lightgrey"}},
		{"/shields/room/chat@rooms.example.com.json?color=blue&available=red", map[string]any{"color": "#007ec6"}},
	}
	for _, tt := range tests {
		res, body := f.do(t, "GET", tt.path, nil)
		if res.StatusCode != http.StatusOK {
			t.Errorf("%s: %d %s", tt.path, res.StatusCode, body)
			continue
		}
		var got map[string]any
		if err := json.Unmarshal([]byte(body), &got); err != nil {
			t.Fatalf("%s: %v: %s", tt.path, err, body)
		}
		for k, want := range tt.want {
			if got[k] != want {
				t.Errorf("%s: %s = %v, want %v (%s)", tt.path, k, got[k], want, body)
			}
		}
		h := res.Header
		if h.Get("Content-Type") != respond.TypeJSON || h.Get("Cache-Control") != "no-cache" || h.Get("Access-Control-Allow-Origin") != "*" {
			t.Errorf("%s: headers %v", tt.path, h)
		}
		if res, _ := f.do(t, "GET", tt.path, map[string]string{"If-None-Match": h.Get("ETag")}); res.StatusCode != http.StatusNotModified {
			t.Errorf("%s: revalidation = %d", tt.path, res.StatusCode)
		}
	}
	// No message=text, no style: those fields stay out.
	_, body := f.do(t, "GET", "/shields/alice@example.com.json", nil)
	if body != `{"schemaVersion":1,"label":"alice@example.com","message":"do not disturb","color":"red"}` {
		t.Errorf("plain endpoint badge = %s", body)
	}
}

func TestShieldsErrors(t *testing.T) {
	f := newFixture(t, Options{})
	for path, code := range map[string]int{
		"/shields/alice@example.com":           404,
		"/shields/alice@example.com.svg":       404,
		"/shields/@example.com.json":           400,
		"/shields/room/rooms.example.com.json": 400,
	} {
		res, body := f.do(t, "GET", path, nil)
		var e struct{ Error string }
		if res.StatusCode != code || json.Unmarshal([]byte(body), &e) != nil || e.Error == "" {
			t.Errorf("%s = %d %s, want %d and a JSON error", path, res.StatusCode, body, code)
		}
	}
}

// TestShieldsSaysWhatTheBadgeSays renders the same queries as an SVG badge
// and as shields' endpoint JSON: label, message and colour must agree, for
// every status, with and without status texts, and for rooms.
func TestShieldsSaysWhatTheBadgeSays(t *testing.T) {
	f := newFixture(t, Options{})
	var jids []string
	for i, st := range presence.Statuses {
		jid := fmt.Sprintf("u%d@example.com", i)
		jids = append(jids, jid)
		switch st {
		case presence.Unknown:
		case presence.Offline:
			f.online(t, jid, presence.Available, "")
			f.offline(t, jid, "phone")
		default:
			f.online(t, jid, st, "text of "+string(st))
		}
	}
	f.dir.SetRoom("full@rooms.example.com", 4)
	queries := []string{"", "message=text", "label=Me", "label=", "color=blue", "dnd=purple&away=ABCDEF&color=green",
		"labelColor=red&message=text&available=yellow"}
	paths := slices.Clone(jids)
	paths = append(paths, "room/full@rooms.example.com", "room/empty@rooms.example.com")
	fill := regexp.MustCompile(`<rect[^>]*fill="(#[0-9a-f]+)"`)
	for _, p := range paths {
		for _, q := range queries {
			_, svg := f.do(t, "GET", "/badge/"+strings.TrimPrefix(p, "room/")+".svg?"+q, nil)
			if strings.HasPrefix(p, "room/") {
				_, svg = f.do(t, "GET", "/room/"+strings.TrimPrefix(p, "room/")+".svg?"+q, nil)
			}
			_, body := f.do(t, "GET", "/shields/"+p+".json?"+q, nil)
			var sh shieldsBadge
			if err := json.Unmarshal([]byte(body), &sh); err != nil {
				t.Fatalf("%s?%s: %v: %s", p, q, err, body)
			}
			want := sh.Message
			if sh.Label != "" {
				want = sh.Label + ": " + sh.Message
			}
			if !strings.Contains(svg, `aria-label="`+html.EscapeString(want)+`"`) {
				t.Errorf("%s?%s: shields says %q, the SVG %.120s", p, q, want, svg)
			}
			c, ok := render.ParseColor(sh.Color)
			fills := fill.FindAllStringSubmatch(svg, -1)
			if !ok || len(fills) == 0 || fills[len(fills)-1][1] != c.String() {
				t.Errorf("%s?%s: shields colour %q (%v), SVG fills %v", p, q, sh.Color, c, fills)
			}
		}
	}
}
