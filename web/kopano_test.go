package web

import (
	"fmt"
	"strings"
	"testing"
)

// kopanoBody is a kopano request for users, each "user_id" or
// "user_id=state:message" to write the spreed source.
func kopanoBody(token string, users ...string) string {
	var us []string
	for _, u := range users {
		id, w, ok := strings.Cut(u, "=")
		if !ok {
			us = append(us, fmt.Sprintf(`{"user_id":%q}`, id))
			continue
		}
		state, msg, _ := strings.Cut(w, ":")
		us = append(us, fmt.Sprintf(`{"user_id":%q,"spreed":{"status":%q,"message":%q}}`, id, state, msg))
	}
	return fmt.Sprintf(`{"AuthenticationToken":%q,"Type":"UserStatus","UserStatus":[%s]}`, token, strings.Join(us, ","))
}

// The kopano API as mounted: its writes share the write API's buckets, its
// reads have buckets of their own.
func TestKopanoWriteRateLimit(t *testing.T) {
	opt := writeOptions(t)
	opt.WriteRate, opt.WriteBurst = 0.1, 1
	f := newFixture(t, opt)
	tok := kopanoToken(testSecret, "alice@example.com", testNow.Unix())
	if res, _ := f.request(t, "PUT", "/api/kopano", kopanoBody(tok, "alice@example.com=busy:"), nil); res.StatusCode != 200 {
		t.Fatalf("first PUT = %d", res.StatusCode)
	}
	if res, _ := f.request(t, "POST", "/api/kopano", kopanoBody(tok, "alice@example.com=busy:"), nil); res.StatusCode != 429 || res.Header.Get("Retry-After") != "10" {
		t.Errorf("second write = %d, Retry-After %q", res.StatusCode, res.Header.Get("Retry-After"))
	}
	if res, _ := f.request(t, "GET", "/api/kopano", kopanoBody(tok, "alice@example.com"), nil); res.StatusCode != 200 {
		t.Errorf("read = %d", res.StatusCode)
	}
}

// kopano's GET reads with a body: it is limited per client like a write,
// in a bucket of its own.
func TestKopanoReadRateLimit(t *testing.T) {
	opt := writeOptions(t)
	opt.WriteRate, opt.WriteBurst = 0.1, 1
	f := newFixture(t, opt)
	tok := kopanoToken(testSecret, "alice@example.com", testNow.Unix())
	if res, _ := f.request(t, "GET", "/api/kopano", kopanoBody(tok, "alice@example.com"), nil); res.StatusCode != 200 {
		t.Fatalf("first read = %d", res.StatusCode)
	}
	if res, _ := f.request(t, "GET", "/api/kopano", kopanoBody(tok, "alice@example.com"), nil); res.StatusCode != 429 || res.Header.Get("Retry-After") != "10" {
		t.Errorf("second read = %d, Retry-After %q", res.StatusCode, res.Header.Get("Retry-After"))
	}
	if res, _ := f.request(t, "PUT", "/api/kopano", kopanoBody(tok, "alice@example.com=busy:"), nil); res.StatusCode != 200 {
		t.Errorf("write after the reads = %d", res.StatusCode)
	}
}
