package web

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"golang.org/x/time/rate"

	"badges/internal/hubtest"
	"badges/presence"
	"badges/store"
	"badges/web/respond"
)

// request sends method target with body and headers to the fixture's server.
func (f *fixture) request(t *testing.T, method, target, body string, hdr map[string]string) (*http.Response, string) {
	t.Helper()
	return hubtest.Do(t, f.srv, method, target, body, hdr)
}

// decodePresence decodes a JSON API presence or fails the test.
func decodePresence(t *testing.T, body string) presence.Presence {
	t.Helper()
	var p presence.Presence
	if err := json.Unmarshal([]byte(body), &p); err != nil {
		t.Fatalf("decode %q: %v", body, err)
	}
	return p
}

func TestPresencePutAndDelete(t *testing.T) {
	f := newFixture(t, writeOptions(t))
	key := bearer(keyUnlimited)
	res, body := f.request(t, "PUT", "/api/v1/presence/Alice@Example.com/laptop",
		`{"status":"dnd","message":"  In a\nmeeting ","ttl":600,"client":"ignored"}`, key)
	if res.StatusCode != 200 {
		t.Fatalf("PUT = %d %s", res.StatusCode, body)
	}
	want := `"jid":"alice@example.com","status":"dnd","state":"busy","message":"In a meeting"`
	if !strings.Contains(body, want) || !strings.Contains(body, `"sources":{"http":"dnd"}`) {
		t.Errorf("PUT answered %s", body)
	}
	if res.Header.Get("Content-Type") != respond.TypeJSON || res.Header.Get("ETag") == "" {
		t.Errorf("PUT headers %v", res.Header)
	}
	// The answer is what every reader now gets, and an If-None-Match does
	// not turn a write's answer into a 304.
	_, got := f.do(t, "GET", "/api/v1/presence/alice@example.com", nil)
	if got != body {
		t.Errorf("GET = %s, PUT answered %s", got, body)
	}
	if res, _ := f.request(t, "PUT", "/api/v1/presence/alice@example.com", `{"status":"dnd","message":"In a meeting"}`,
		map[string]string{"Authorization": key["Authorization"], "If-None-Match": res.Header.Get("ETag")}); res.StatusCode != 200 {
		t.Errorf("refresh with If-None-Match = %d", res.StatusCode)
	}
	rec, ok := f.dir.Record("alice@example.com")
	if !ok || rec.HTTP == nil || rec.HTTP.Status != presence.DND {
		t.Fatalf("record %+v", rec)
	}

	res, body = f.request(t, "DELETE", "/api/v1/presence/alice@example.com", "", key)
	p := decodePresence(t, body)
	if res.StatusCode != 200 || p.Status != presence.Offline || p.LastSeen.IsZero() || p.Sources[presence.SourceHTTP] != presence.Offline {
		t.Errorf("DELETE = %d %s", res.StatusCode, body)
	}
	// Deleting what nobody pushed reveals nothing: the answer of a JID
	// that does not exist.
	_, body = f.request(t, "DELETE", "/api/v1/presence/nobody@example.com", "", key)
	if p := decodePresence(t, body); p.Status != presence.Unknown || len(p.Sources) != 0 {
		t.Errorf("DELETE unknown = %s", body)
	}
}

func TestPresencePutBadBodies(t *testing.T) {
	f := newFixture(t, writeOptions(t))
	for _, body := range []string{
		``, `{`, `null`, `[]`, `"away"`, `{}`, `{"status":""}`, `{"status":"busy"}`, `{"status":"Away"}`,
		`{"status":"unknown"}`, `{"status":7}`, `{"status":"away","message":5}`,
		`{"status":"away","ttl":0}`, `{"status":"away","ttl":-1}`, `{"status":"away","ttl":86401}`,
		`{"status":"away","ttl":1.5}`, `{"status":"away","ttl":"120"}`, `{"status":"away","ttl":1e30}`,
		`{"status":"away"} {"status":"dnd"}`, `{"status":"away"}x`,
	} {
		res, got := f.request(t, "PUT", "/api/v1/presence/alice@example.com", body, bearer(keyUnlimited))
		var e struct{ Error string }
		if res.StatusCode != 400 || json.Unmarshal([]byte(got), &e) != nil || e.Error == "" {
			t.Errorf("%s: %d %s", body, res.StatusCode, got)
		}
	}
	if _, ok := f.dir.Record("alice@example.com"); ok {
		t.Error("a bad body was written")
	}
}

func TestParsePresenceWriteDefaults(t *testing.T) {
	tests := []struct {
		body string
		want presenceWrite
	}{
		{`{"status":"away"}`, presenceWrite{Status: presence.Away, TTL: presence.DefaultTTL}},
		{`{"status":"offline","ttl":null,"message":null}`, presenceWrite{Status: presence.Offline, TTL: presence.DefaultTTL}},
		{`{"status":"chat","ttl":1,"message":"hi"}`, presenceWrite{Status: presence.Chat, Message: "hi", TTL: time.Second}},
		{`{"status":"xa","ttl":86400,"extra":{"nested":[1]}}`, presenceWrite{Status: presence.XA, TTL: 24 * time.Hour}},
	}
	for _, tt := range tests {
		if got, err := parsePresenceWrite([]byte(tt.body)); err != nil || got != tt.want {
			t.Errorf("%s = %+v, %v; want %+v", tt.body, got, err, tt.want)
		}
	}
}

func TestPresencePutTooLarge(t *testing.T) {
	f := newFixture(t, writeOptions(t))
	big := `{"status":"away","message":"` + strings.Repeat("x", respond.MaxBodyBytes) + `"}`
	for _, known := range []bool{true, false} {
		req := httptest.NewRequest("PUT", "/api/v1/presence/alice@example.com", strings.NewReader(big))
		req.Header.Set("Authorization", "Bearer "+keyUnlimited)
		if !known {
			req.ContentLength = -1 // sent chunked: only reading finds out
		}
		rec := httptest.NewRecorder()
		f.srv.ServeHTTP(rec, req)
		if rec.Code != http.StatusRequestEntityTooLarge || rec.Body.String() != `{"error":"request body larger than 64 KiB"}`+"\n" {
			t.Errorf("length known %v: %d %s", known, rec.Code, rec.Body)
		}
	}
}

func TestWriteRateLimit(t *testing.T) {
	opt := writeOptions(t)
	opt.WriteRate, opt.WriteBurst = 0.5, 2
	f := newFixture(t, opt)
	put := func(remote string, hdr map[string]string) *http.Response {
		req := httptest.NewRequest("PUT", "/api/v1/presence/alice@example.com", strings.NewReader(`{"status":"away"}`))
		req.RemoteAddr = remote
		for k, v := range hdr {
			req.Header.Set(k, v)
		}
		rec := httptest.NewRecorder()
		f.srv.ServeHTTP(rec, req)
		return rec.Result()
	}
	// Failed attempts count too: guessing credentials is throttled.
	if res := put("192.0.2.1:1000", nil); res.StatusCode != 401 {
		t.Fatalf("first = %d", res.StatusCode)
	}
	if res := put("192.0.2.1:1001", bearer(keyUnlimited)); res.StatusCode != 200 {
		t.Fatalf("second = %d", res.StatusCode)
	}
	res := put("192.0.2.1:1002", bearer(keyUnlimited))
	if res.StatusCode != http.StatusTooManyRequests || res.Header.Get("Retry-After") != "2" {
		t.Errorf("third = %d, Retry-After %q", res.StatusCode, res.Header.Get("Retry-After"))
	}
	// Other clients have their own buckets; an IPv6 client is its /64.
	if res := put("198.51.100.7:1000", bearer(keyUnlimited)); res.StatusCode != 200 {
		t.Errorf("other client = %d", res.StatusCode)
	}
	put("[2001:db8::1]:1000", bearer(keyUnlimited))
	put("[2001:db8::2]:1000", bearer(keyUnlimited))
	if res := put("[2001:db8::3]:1000", bearer(keyUnlimited)); res.StatusCode != http.StatusTooManyRequests {
		t.Errorf("same /64 = %d", res.StatusCode)
	}
	// Reads are not writes.
	if res, _ := f.do(t, "GET", "/api/v1/presence/alice@example.com", nil); res.StatusCode != 200 {
		t.Errorf("read = %d", res.StatusCode)
	}
	// rate.Inf turns the limit off.
	opt.WriteRate = rate.Inf
	f = newFixture(t, opt)
	for i := range 5 {
		if res := put("192.0.2.1:1000", bearer(keyUnlimited)); res.StatusCode != 200 {
			t.Fatalf("unlimited write %d = %d", i, res.StatusCode)
		}
	}
}

func TestClientLimiterBounded(t *testing.T) {
	now := testNow
	l := newClientLimiter(1, 1, 0, 0, func() time.Time { return now })
	req := httptest.NewRequest("PUT", "/", nil)
	for i := range maxLimitedClients + 10 {
		req.RemoteAddr = netAddr(i)
		l.allow(req)
	}
	if n := len(l.clients); n > maxLimitedClients {
		t.Errorf("%d clients kept, bound %d", n, maxLimitedClients)
	}
	// Once refilled, buckets are swept first.
	now = now.Add(time.Minute)
	req.RemoteAddr = "203.0.113.1:1"
	l.allow(req)
	if n := len(l.clients); n != 1 {
		t.Errorf("%d clients kept after the sweep, want 1", n)
	}
}

func netAddr(i int) string { return fmt.Sprintf("10.%d.%d.%d:1", i>>16&255, i>>8&255, i&255) }

// A write is acknowledged only once stored: when the store fails, the
// client gets a 500 and readers keep the previous presence.
func TestPresencePutNotAcknowledgedUnstored(t *testing.T) {
	hub := hubtest.NewRecorder(presence.NewMemHub())
	st := &failingStore{Store: openStore(t)}
	dir, err := presence.NewDirectory(hub, st, presence.DirectoryOptions{ShowMessages: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(dir.Close)
	opt := writeOptions(t)
	opt.Hub, opt.Directory = hub, dir
	f := &fixture{hub: hub, dir: dir, srv: New(opt)}

	if res, body := f.request(t, "PUT", "/api/v1/presence/alice@example.com", `{"status":"away"}`, bearer(keyUnlimited)); res.StatusCode != 200 {
		t.Fatalf("PUT = %d %s", res.StatusCode, body)
	}
	st.fail = errors.New("disk full")
	res, body := f.request(t, "PUT", "/api/v1/presence/alice@example.com", `{"status":"dnd"}`, bearer(keyUnlimited))
	if res.StatusCode != 500 || strings.Contains(body, "disk full") {
		t.Errorf("unstored PUT = %d %s", res.StatusCode, body)
	}
	if _, body := f.do(t, "GET", "/api/v1/presence/alice@example.com", nil); decodePresence(t, body).Status != presence.Away {
		t.Errorf("after a failed write: %s", body)
	}
	if res, _ := f.request(t, "DELETE", "/api/v1/presence/alice@example.com", "", bearer(keyUnlimited)); res.StatusCode != 500 {
		t.Errorf("unstored DELETE = %d", res.StatusCode)
	}
}

// failingStore is a real store that fails every write while fail is set.
type failingStore struct {
	*store.Store
	fail error
}

func (s *failingStore) Write(batch []presence.Write) []error {
	if s.fail == nil {
		return s.Store.Write(batch)
	}
	errs := make([]error, len(batch))
	for i := range errs {
		errs[i] = s.fail
	}
	return errs
}

// FuzzParsePresenceWrite: no body makes the parser panic, every refusal is
// a 400, and what it accepts is within bounds.
func FuzzParsePresenceWrite(f *testing.F) {
	for _, s := range []string{
		`{"status":"away","message":"x","ttl":120}`, `{"status":"dnd","ttl":1}`, `{"status":"offline"}`,
		`{"status":"unknown"}`, `{"ttl":1e400}`, `{"status":"away","message":"\ud800"}`, ``, `null`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		w, err := parsePresenceWrite(body)
		if err != nil {
			if code := respond.StatusOf(err); code != 400 {
				t.Fatalf("error %v maps to %d", err, code)
			}
			return
		}
		if _, err := presence.ParseStatus(string(w.Status)); err != nil || w.Status == presence.Unknown {
			t.Fatalf("status %q accepted", w.Status)
		}
		if w.TTL < minWriteTTL*time.Second || w.TTL > maxWriteTTL*time.Second {
			t.Fatalf("ttl %s accepted", w.TTL)
		}
	})
}

// Under signed visibility a write answer must not read what a sig guards:
// an API key's write is acknowledged with 204 and no body, while the
// JID's own token sees the presence its write resulted in.
func TestSignedWriteAnswers(t *testing.T) {
	opt := writeOptions(t)
	opt.Verify = func(presence.Topic, string) bool { return false }
	f := newFixture(t, opt)
	f.online(t, "bob@example.com", presence.DND, "dentist at 3")

	for _, method := range []string{"PUT", "DELETE"} {
		res, body := f.request(t, method, "/api/v1/presence/bob@example.com", `{"status":"away"}`, bearer(keyUnlimited))
		if res.StatusCode != http.StatusNoContent || body != "" {
			t.Errorf("key %s = %d %q, want 204 and no body", method, res.StatusCode, body)
		}
	}
	tok := bearer(kopanoToken(testSecret, "bob@example.com", testNow.Unix()))
	res, body := f.request(t, "PUT", "/api/v1/presence/bob@example.com", `{"status":"away","message":"back soon"}`, tok)
	if res.StatusCode != http.StatusOK || !strings.Contains(body, `"back soon"`) {
		t.Errorf("own token PUT = %d %s", res.StatusCode, body)
	}
}

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

// TestHTTPSourceAggregation follows docs/API.md#presence-model through the write API:
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
