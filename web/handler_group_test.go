package web

import (
	"net/http"
	"strings"
	"testing"

	"badges/presence"
	"badges/web/respond"
)

// TestGroupCounts: a group counts its visible members and those online,
// and follows joins, leaves and hides.
func TestGroupCounts(t *testing.T) {
	f := newFixture(t, Options{})
	join := func(jid string) {
		t.Helper()
		mustNil(t, f.dir.SetRosterItem(jid, presence.RosterItem{Subscribed: true, Groups: []string{"team"}}))
	}
	check := func(wantJSON, wantBadge string) {
		t.Helper()
		res, body := f.do(t, "GET", "/api/v1/groups/team", nil)
		if res.StatusCode != http.StatusOK || body != wantJSON {
			t.Errorf("JSON: %d %s, want %s", res.StatusCode, body, wantJSON)
		}
		res, body = f.do(t, "GET", "/group/team.svg", nil)
		if res.StatusCode != http.StatusOK || !strings.Contains(body, `aria-label="team: `+wantBadge+`"`) {
			t.Errorf("badge: %d, want %q in\n%s", res.StatusCode, wantBadge, body)
		}
	}
	check(`{"group":"team","online":0,"total":0}`, "0/0 online")
	for _, jid := range []string{"a@example.com", "b@example.com", "c@example.com"} {
		join(jid)
	}
	f.dir.SetResource("a@example.com", "pc", presence.Resource{Status: presence.Available})
	f.dir.SetResource("b@example.com", "pc", presence.Resource{Status: presence.Away})
	check(`{"group":"team","online":2,"total":3}`, "2/3 online")
	f.offline(t, "b@example.com", "pc") // leaves
	check(`{"group":"team","online":1,"total":3}`, "1/3 online")
	mustNil(t, f.dir.SetChoice("a@example.com", true, 0)) // hides
	check(`{"group":"team","online":0,"total":2}`, "0/2 online")
	mustNil(t, f.dir.RemoveRosterItem("c@example.com")) // leaves the roster
	check(`{"group":"team","online":0,"total":1}`, "0/1 online")

	if res, _ := f.do(t, "GET", "/group/team.png?scale=2", nil); res.StatusCode != http.StatusOK || res.Header.Get("Content-Type") != respond.TypePNG {
		t.Errorf("PNG: %d %s", res.StatusCode, res.Header.Get("Content-Type"))
	}
	for path, code := range map[string]int{
		"/group/team":        http.StatusNotFound,
		"/group/%01.svg":     http.StatusBadRequest,
		"/api/v1/groups/%01": http.StatusBadRequest,
		"/api/v1/groups/" + strings.Repeat("g", maxGroupName+1): http.StatusBadRequest,
	} {
		if res, _ := f.do(t, "GET", path, nil); res.StatusCode != code {
			t.Errorf("%s: %d, want %d", path, res.StatusCode, code)
		}
	}
}

// Under signed visibility a group's count would tell about members nobody
// vouched for: every group answer is 404, in JSON for the API and as an
// image, which says so, for the badges.
func TestGroupSigned(t *testing.T) {
	f := newFixture(t, Options{Verify: func(presence.Topic, string) bool { return true }})
	mustNil(t, f.dir.SetRosterItem("a@example.com", presence.RosterItem{Subscribed: true, Groups: []string{"team"}}))
	for path, ct := range map[string]string{"/api/v1/groups/team": "application/json", "/group/team.svg": "image/svg+xml", "/group/team.png": "image/png"} {
		res, body := f.do(t, "GET", path, nil)
		if res.StatusCode != http.StatusNotFound || !strings.HasPrefix(res.Header.Get("Content-Type"), ct) {
			t.Errorf("%s: %d %s, want 404 and %s", path, res.StatusCode, res.Header.Get("Content-Type"), ct)
		}
		if ct == "image/svg+xml" && !strings.Contains(body, "not found") {
			t.Errorf("%s does not say not found: %s", path, body)
		}
	}
}

func FuzzParseGroup(f *testing.F) {
	for _, s := range []string{"team", "", "\x00", "équipe", strings.Repeat("x", 300), "\xff"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		g, err := parseGroup(raw)
		if err != nil {
			return
		}
		if g != raw || len(g) == 0 || len(g) > maxGroupName || !strings.ContainsFunc(g, func(rune) bool { return true }) {
			t.Errorf("parseGroup(%q) = %q", raw, g)
		}
	})
}
