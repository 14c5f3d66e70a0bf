package web

import (
	"net/url"
	"strings"
	"testing"
	"time"

	"badges/presence"
	"badges/render"
)

func TestImageCaches(t *testing.T) {
	c := newImageCaches(1<<20, 1<<20, time.Now)
	hub := presence.NewMemHub()
	hub.Publish(presence.NewPresenceEntry(presence.Presence{JID: "a@b", Status: presence.Away,
		Sources: map[presence.Source]presence.Status{presence.SourceHTTP: presence.Away}}))
	held := hub.Get(presence.JIDTopic("a@b"))
	fresh := hub.Get(presence.JIDTopic("nobody@b")) // made for this call only

	for _, q := range []string{"", "style=social&label=A", "style=social&label=A"} {
		got := c.image(held, badgeImage, render.SVG, q)
		v, err := url.ParseQuery(q)
		if err != nil {
			t.Fatal(err)
		}
		if w := render.Badge(held.Presence, render.ParseQuery(v, render.SVG), render.SVG); string(got.Body) != string(w.Body) || got.ETag != w.ETag {
			t.Errorf("query %q: the answer is not the rendered badge", q)
		}
	}
	if n := c.answers.EstimatedSize(); n != 2 {
		t.Errorf("%d answers cached, want 2", n)
	}
	c.image(fresh, badgeImage, render.SVG, "")
	c.image(held, badgeImage, render.SVG, "label="+strings.Repeat("x", maxCachedQuery))
	if n := c.answers.EstimatedSize(); n != 2 {
		t.Errorf("a fresh entry or a long query was cached: %d answers", n)
	}
	// Kinds and formats of one entry and query are apart.
	if c.image(held, iconImage, render.SVG, "").ETag == c.image(held, badgeImage, render.SVG, "").ETag ||
		c.image(held, badgeImage, render.PNG, "").ETag == c.image(held, badgeImage, render.SVG, "").ETag {
		t.Error("kinds or formats share an answer")
	}
}
