package web

import (
	"context"
	"testing"
	"time"

	"badges/presence"
)

// awaitHub waits for the hub to deliver jid's presence with status want to
// s, woken through woken, failing the test at ctx's deadline.
func awaitHub(ctx context.Context, t *testing.T, s presence.Subscription, woken <-chan struct{}, want presence.Status) presence.Presence {
	t.Helper()
	for {
		for _, e := range s.Take(nil) {
			if e.Presence.Status == want {
				return e.Presence
			}
		}
		select {
		case <-woken:
		case <-ctx.Done():
			t.Fatalf("no %s presence before the deadline", want)
		}
	}
}

// TestHTTPSourceAggregation follows SPEC section 2 through the write API:
// across sources the most recently changed one that is online wins; with
// all of them offline the JID is offline.
func TestHTTPSourceAggregation(t *testing.T) {
	f := newFixture(t, writeOptions(t))
	const jid = "alice@example.com"
	key := bearer(keyUnlimited)
	get := func() presence.Presence {
		_, body := f.do(t, "GET", "/api/v1/presence/"+jid, nil)
		return decodePresence(t, body)
	}
	f.online(t, jid, presence.DND, "meeting") // xmpp first
	f.request(t, "PUT", "/api/v1/presence/"+jid, `{"status":"away","message":"pushed"}`, key)
	if p := get(); p.Status != presence.Away || p.Message != "pushed" ||
		p.Sources[presence.SourceXMPP] != presence.DND || p.Sources[presence.SourceHTTP] != presence.Away {
		t.Errorf("http more recent: %+v", p)
	}
	f.online(t, jid, presence.Chat, "free") // xmpp changes after the push
	if p := get(); p.Status != presence.Chat || p.Message != "free" {
		t.Errorf("xmpp more recent: %+v", p)
	}
	// A refresh of the same push is not a change: xmpp stays the newer.
	f.request(t, "PUT", "/api/v1/presence/"+jid, `{"status":"away","message":"pushed"}`, key)
	if p := get(); p.Status != presence.Chat {
		t.Errorf("after a refresh: %+v", p)
	}
	// An offline source never beats an online one, however recent.
	f.request(t, "DELETE", "/api/v1/presence/"+jid, "", key)
	if p := get(); p.Status != presence.Chat || p.Sources[presence.SourceHTTP] != presence.Offline {
		t.Errorf("http offline, xmpp online: %+v", p)
	}
	f.request(t, "PUT", "/api/v1/presence/"+jid, `{"status":"xa"}`, key)
	f.dir.RemoveResource(jid, "phone")
	if p := get(); p.Status != presence.XA || p.Sources[presence.SourceXMPP] != presence.Offline {
		t.Errorf("xmpp offline, http online: %+v", p)
	}
	f.request(t, "DELETE", "/api/v1/presence/"+jid, "", key)
	if p := get(); p.Status != presence.Offline || p.LastSeen.IsZero() {
		t.Errorf("all offline: %+v", p)
	}
}

// TestHTTPSourceExpires: without a refresh within ttl the http source goes
// offline by itself, and the hub tells every subscriber.
func TestHTTPSourceExpires(t *testing.T) {
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	f := newFixture(t, writeOptions(t))
	woken := make(chan struct{}, 1)
	s := f.hub.Subscribe(func() {
		select {
		case woken <- struct{}{}:
		default:
		}
	})
	defer s.Close()
	if err := s.Add(0, presence.JIDTopic("alice@example.com")); err != nil {
		t.Fatal(err)
	}
	key := bearer(keyUnlimited)
	if res, body := f.request(t, "PUT", "/api/v1/presence/bob@example.com", `{"status":"dnd","ttl":3600}`, key); res.StatusCode != 200 {
		t.Fatalf("PUT = %d %s", res.StatusCode, body)
	}
	start := time.Now()
	if res, body := f.request(t, "PUT", "/api/v1/presence/alice@example.com", `{"status":"away","ttl":1}`, key); res.StatusCode != 200 {
		t.Fatalf("PUT = %d %s", res.StatusCode, body)
	}
	awaitHub(ctx, t, s, woken, presence.Away)
	p := awaitHub(ctx, t, s, woken, presence.Offline)
	if since := time.Since(start); since < time.Second {
		t.Errorf("expired after %s, ttl 1 s", since)
	}
	if p.LastSeen.IsZero() || p.Sources[presence.SourceHTTP] != presence.Offline {
		t.Errorf("expired: %+v", p)
	}
	if p := f.hub.Get(presence.JIDTopic("bob@example.com")).Presence; p.Status != presence.DND {
		t.Errorf("bob expired with alice: %+v", p)
	}
}
