package web

import (
	"testing"
)

// kopanoBody is a kopano request of token for alice; a spreed state, when
// given, writes it.
func kopanoBody(token, state string) string {
	user := `{"user_id":"alice@example.com"}`
	if state != "" {
		user = `{"user_id":"alice@example.com","spreed":{"status":"` + state + `","message":""}}`
	}
	return `{"AuthenticationToken":"` + token + `","Type":"UserStatus","UserStatus":[` + user + `]}`
}

// The kopano API as mounted: its writes share the write API's buckets, its
// reads have buckets of their own.
func TestKopanoWriteRateLimit(t *testing.T) {
	opt := writeOptions(t)
	opt.WriteRate, opt.WriteBurst = 0.1, 1
	f := newFixture(t, opt)
	tok := kopanoToken(testSecret, "alice@example.com", testNow.Unix())
	if res, _ := f.request(t, "PUT", "/api/kopano", kopanoBody(tok, "busy"), nil); res.StatusCode != 200 {
		t.Fatalf("first PUT = %d", res.StatusCode)
	}
	if res, _ := f.request(t, "POST", "/api/kopano", kopanoBody(tok, "busy"), nil); res.StatusCode != 429 || res.Header.Get("Retry-After") != "10" {
		t.Errorf("second write = %d, Retry-After %q", res.StatusCode, res.Header.Get("Retry-After"))
	}
	if res, _ := f.request(t, "GET", "/api/kopano", kopanoBody(tok, ""), nil); res.StatusCode != 200 {
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
	if res, _ := f.request(t, "GET", "/api/kopano", kopanoBody(tok, ""), nil); res.StatusCode != 200 {
		t.Fatalf("first read = %d", res.StatusCode)
	}
	if res, _ := f.request(t, "GET", "/api/kopano", kopanoBody(tok, ""), nil); res.StatusCode != 429 || res.Header.Get("Retry-After") != "10" {
		t.Errorf("second read = %d, Retry-After %q", res.StatusCode, res.Header.Get("Retry-After"))
	}
	if res, _ := f.request(t, "PUT", "/api/kopano", kopanoBody(tok, "busy"), nil); res.StatusCode != 200 {
		t.Errorf("write after the reads = %d", res.StatusCode)
	}
}
