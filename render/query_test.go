package render

import (
	"net/url"
	"reflect"
	"slices"
	"testing"

	"badges/presence"
)

func TestParseQuery(t *testing.T) {
	purple, blue := mustColor("purple"), mustColor("blue")
	tests := []struct {
		query string
		f     Format
		want  Options
	}{
		{"", SVG, Options{Style: Flat, Scale: 1, Size: 16}},
		{"style=plastic&label=Me&message=text&logo=xmpp", SVG,
			Options{Style: Plastic, Label: "Me", HasLabel: true, Message: MessageText, Logo: true, Scale: 1, Size: 16}},
		{"style=FOR-THE-BADGE&logo=XMPP", SVG, Options{Style: ForTheBadge, Logo: true, Scale: 1, Size: 16}},
		{"style=round&message=words&logo=github", SVG, Options{Style: Flat, Scale: 1, Size: 16}},
		{"label=", SVG, Options{Style: Flat, HasLabel: true, Scale: 1, Size: 16}},
		{"label=%20%20a%0Ab%20", SVG, Options{Style: Flat, Label: "a b", HasLabel: true, Scale: 1, Size: 16}},
		{"color=blue&labelColor=%23abc&dnd=purple&away=nonsense&bogus=1", SVG, Options{
			Style: Flat, Color: blue, LabelColor: mustColor("#abc"), Scale: 1, Size: 16,
			StatusColors: map[presence.Status]Color{presence.DND: purple},
		}},
		{"color=javascript:alert(1)&labelColor=%23abcd", SVG, Options{Style: Flat, Scale: 1, Size: 16}},
		{"scale=2", PNG, Options{Style: Flat, Scale: 2, Size: 16}},
		{"scale=2", SVG, Options{Style: Flat, Scale: 1, Size: 16}},
		{"scale=9", PNG, Options{Style: Flat, Scale: 3, Size: 16}},
		{"scale=99999999999999999999999", PNG, Options{Style: Flat, Scale: 3, Size: 16}},
		{"scale=0", PNG, Options{Style: Flat, Scale: 1, Size: 16}},
		{"scale=-2", PNG, Options{Style: Flat, Scale: 1, Size: 16}},
		{"scale=1.5", PNG, Options{Style: Flat, Scale: 1, Size: 16}},
		{"size=64", PNG, Options{Style: Flat, Scale: 1, Size: 64}},
		{"size=1000", SVG, Options{Style: Flat, Scale: 1, Size: 128}},
		{"size=8", SVG, Options{Style: Flat, Scale: 1, Size: 16}},
		{"size=big", SVG, Options{Style: Flat, Scale: 1, Size: 16}},
		{"style=social&style=flat&label=a&label=b", SVG, Options{Style: Social, Label: "a", HasLabel: true, Scale: 1, Size: 16}},
	}
	for _, tt := range tests {
		q, err := url.ParseQuery(tt.query)
		if err != nil {
			t.Fatal(err)
		}
		if got := ParseQuery(q, tt.f); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("ParseQuery(%q, %v)\n got %+v\nwant %+v", tt.query, tt.f, got, tt.want)
		}
	}
}

func TestStatusColourPrecedence(t *testing.T) {
	o := ParseQuery(url.Values{"color": {"blue"}, "dnd": {"purple"}}, SVG)
	if got, _ := o.statusColor(presence.DND); got != mustColor("purple") {
		t.Errorf("dnd: %v, want the per-status colour", got)
	}
	if got, _ := o.statusColor(presence.Away); got != mustColor("blue") {
		t.Errorf("away: %v, want color=", got)
	}
	if got, _ := (Options{}).statusColor(presence.Away); got != mustColor("yellow") {
		t.Errorf("default away: %v, want yellow", got)
	}
}

func FuzzParseQuery(f *testing.F) {
	f.Add("style=social&label=x&color=red&dnd=purple&logo=xmpp&scale=3&size=64")
	f.Add("label=%3Cscript%3E&labelColor=%22%3E&message=text")
	f.Add("scale=-9999999999999999999&size=1e9&style=%00")
	f.Add("label=%D7%A9%D7%9C%D7%95%D7%9D&available=%23ABC")
	f.Fuzz(func(t *testing.T, raw string) {
		q, _ := url.ParseQuery(raw) // a partly bad query still yields values
		for _, f := range []Format{SVG, PNG} {
			o := ParseQuery(q, f)
			if !slices.Contains(Styles, o.Style) {
				t.Fatalf("style %q", o.Style)
			}
			if o.Scale < MinScale || o.Scale > MaxScale || (f == SVG && o.Scale != 1) {
				t.Fatalf("scale %d for %v", o.Scale, f)
			}
			if o.Size < MinIconSize || o.Size > MaxIconSize {
				t.Fatalf("size %d", o.Size)
			}
			for _, c := range append([]Color{o.Color, o.LabelColor}, mapValues(o.StatusColors)...) {
				if c.IsZero() {
					continue
				}
				if again, ok := ParseColor(c.String()); !ok || again != c {
					t.Fatalf("colour %q is not a valid hex colour", c)
				}
			}
			p := presence.Presence{JID: "a@b", Status: presence.DND, Message: "m"}
			body := Badge(p, o, SVG).Body
			parseSVG(t, body)
			parseSVG(t, Icon(presence.DND, o, SVG).Body)
		}
	})
}

func mapValues(m map[presence.Status]Color) []Color {
	out := make([]Color, 0, len(m))
	for _, c := range m {
		out = append(out, c)
	}
	return out
}
