package openfire

import (
	"net/url"
	"strings"
	"testing"

	"badges/render"
)

// FuzzOpenfireQuery: whatever the query, the parser never panics, and
// every redirect it lets through goes to an allowed host over http(s)
// without user information.
func FuzzOpenfireQuery(f *testing.F) {
	for _, s := range []string{
		"jid=alice@example.com",
		"jid=alice@example.com&type=xml&req_jid=bob@example.com",
		"jid=a@b&images=https://img.example.com/--IMAGE--.gif",
		"jid=a@b&dnd=http://img.example.com:81/x&images=https://--IMAGE--.example.com/",
		"jid=a@b&available=https://u:p@img.example.com/&type=image",
		"jid=a@b&forbidden=//img.example.com/x",
		"type=text&jid=",
		"jid=%ff&images=https://[::1]/--IMAGE--",
	} {
		f.Add(s)
	}
	hosts := newHostSet([]string{"img.example.com", "::1"})
	f.Fuzz(func(t *testing.T, raw string) {
		v, err := url.ParseQuery(raw)
		if err != nil {
			return
		}
		q, err := parseOpenfireQuery(v, hosts)
		if err != nil {
			return
		}
		if q.jid == "" || (q.typ != openfireImage && q.typ != openfireText && q.typ != openfireXML) {
			t.Fatalf("accepted %+v", q)
		}
		for _, name := range render.OpenfireNames {
			target, ok := q.redirect(name)
			if !ok {
				continue
			}
			loc, err := hosts.check(target)
			if err != nil {
				t.Fatalf("%s: accepted a redirect that fails the check: %v", name, err)
			}
			u, err := url.Parse(loc)
			if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.User != nil || !hosts[strings.ToLower(u.Hostname())] {
				t.Fatalf("%s: redirect to %q (%v)", name, loc, err)
			}
		}
	})
}
