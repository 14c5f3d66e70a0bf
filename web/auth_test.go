package web

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"badges/auth"
)

// Credentials of the write tests.
const (
	testSecret    = "write-test-secret"
	keyUnlimited  = "Unlimited0123456789abcdef"
	keyDomain     = "DomainOnly0123456789abcd"
	keyPath       = "BotsOnly0123456789abcdef"
	keyDomainPath = "Both0123456789abcdefghij"
	keySuffix     = "SuffixOnly0123456789abcd"
)

// testNow is the fixed clock of the write tests: tokens are made for it.
var testNow = time.Unix(1700000000, 0)

// kopanoToken makes a user token the way kopano's test/create_token.py
// does, byte for byte, independently of package auth:
// "%d:%s:%s" % (t, userid, hmac(secret, "%d:%s").digest().encode('base64').strip().upper()).
func kopanoToken(secret, userID string, t int64) string {
	mac := hmac.New(sha256.New, []byte(secret))
	fmt.Fprintf(mac, "%d:%s", t, userID)
	return fmt.Sprintf("%d:%s:%s", t, userID, strings.ToUpper(base64.StdEncoding.EncodeToString(mac.Sum(nil))))
}

// writeOptions configures a server with every kind of write credential.
func writeOptions(t *testing.T) Options {
	t.Helper()
	keys, err := auth.ParseKeys([]string{
		keyUnlimited,
		keyDomain + ":domain=example.com,example.org",
		keyPath + ":regex=^/api/v1/presence/bot[0-9]+@",
		keyDomainPath + ":domain=example.net:regex=^/api/v1/presence/",
		keySuffix + `:regex=@example\.com$`,
	})
	if err != nil {
		t.Fatal(err)
	}
	return Options{APIKeys: keys, TokenSecret: []byte(testSecret), TokenTTL: 5 * time.Minute,
		Now: func() time.Time { return testNow }}
}

func bearer(cred string) map[string]string {
	return map[string]string{"Authorization": "Bearer " + cred}
}

func TestWriteAuthorization(t *testing.T) {
	now := testNow.Unix()
	tok := func(jid string, ts int64) map[string]string { return bearer(kopanoToken(testSecret, jid, ts)) }
	tests := []struct {
		name   string
		method string // default PUT
		jid    string
		hdr    map[string]string
		want   int
	}{
		{name: "no header", jid: "alice@example.com", want: 401},
		{name: "basic scheme", jid: "alice@example.com", hdr: map[string]string{"Authorization": "Basic YTpi"}, want: 401},
		{name: "empty bearer", jid: "alice@example.com", hdr: map[string]string{"Authorization": "Bearer "}, want: 401},
		{name: "unknown key", jid: "alice@example.com", hdr: bearer("NoSuchKey0123456789abcdef"), want: 401},
		{name: "key prefix", jid: "alice@example.com", hdr: bearer(keyUnlimited[:20]), want: 401},
		{name: "lower-case scheme", jid: "alice@example.com", hdr: map[string]string{"Authorization": "bearer " + keyUnlimited}, want: 200},

		{name: "unlimited key", jid: "anyone@anywhere.example", hdr: bearer(keyUnlimited), want: 200},
		{name: "domain key, its domain", jid: "alice@example.com", hdr: bearer(keyDomain), want: 200},
		{name: "domain key, second domain", jid: "bob@example.org", hdr: bearer(keyDomain), want: 200},
		{name: "domain key, case folded", jid: "Alice@EXAMPLE.com", hdr: bearer(keyDomain), want: 200},
		{name: "domain key, subdomain", jid: "alice@chat.example.com", hdr: bearer(keyDomain), want: 403},
		{name: "domain key, other domain", jid: "alice@example.net", hdr: bearer(keyDomain), want: 403},
		{name: "domain key, delete out of scope", method: "DELETE", jid: "alice@example.net", hdr: bearer(keyDomain), want: 403},
		{name: "path key, matching path", jid: "bot7@example.com", hdr: bearer(keyPath), want: 200},
		{name: "path key, other path", jid: "alice@example.com", hdr: bearer(keyPath), want: 403},
		// The scope holds for the JID written, not for how the path spells it.
		{name: "suffix key, its domain", jid: "alice@example.com", hdr: bearer(keySuffix), want: 200},
		{name: "suffix key, other domain", jid: "alice@other.example", hdr: bearer(keySuffix), want: 403},
		{name: "suffix key, resource spelling its domain", jid: "alice@other.example/x@example.com", hdr: bearer(keySuffix), want: 403},
		{name: "suffix key, escaped resource", jid: "alice@other.example%2Fx@example.com", hdr: bearer(keySuffix), want: 403},
		{name: "path key, own JID with a resource", jid: "bot7@example.com/phone", hdr: bearer(keyPath), want: 200},
		{name: "path key, case folded", jid: "BOT7@example.com", hdr: bearer(keyPath), want: 200},
		{name: "both scopes, in both", jid: "carol@example.net", hdr: bearer(keyDomainPath), want: 200},
		{name: "both scopes, wrong domain", jid: "carol@example.com", hdr: bearer(keyDomainPath), want: 403},

		{name: "token, own JID", jid: "alice@example.com", hdr: tok("alice@example.com", now), want: 200},
		{name: "token, own JID as full JID in path", jid: "alice@example.com/phone", hdr: tok("alice@example.com", now), want: 200},
		{name: "token signed for a non-normalised JID", jid: "alice@example.com", hdr: tok("Alice@Example.COM", now), want: 200},
		{name: "token, other JID", jid: "bob@example.com", hdr: tok("alice@example.com", now), want: 403},
		{name: "token, delete other JID", method: "DELETE", jid: "bob@example.com", hdr: tok("alice@example.com", now), want: 403},
		{name: "token exactly ttl old", jid: "alice@example.com", hdr: tok("alice@example.com", now-300), want: 200},
		{name: "token expired", jid: "alice@example.com", hdr: tok("alice@example.com", now-301), want: 401},
		{name: "token expired, other JID", jid: "bob@example.com", hdr: tok("alice@example.com", now-301), want: 401},
		{name: "token 30 s ahead", jid: "alice@example.com", hdr: tok("alice@example.com", now+30), want: 200},
		{name: "token 31 s ahead", jid: "alice@example.com", hdr: tok("alice@example.com", now+31), want: 401},
		{name: "token, wrong secret", jid: "alice@example.com", hdr: bearer(kopanoToken("other", "alice@example.com", now)), want: 401},
		{name: "token, lower-case signature", jid: "alice@example.com",
			hdr: bearer(strings.ToLower(kopanoToken(testSecret, "alice@example.com", now))), want: 401},
		{name: "token without signature", jid: "alice@example.com", hdr: bearer(fmt.Sprintf("%d:alice@example.com", now)), want: 401},
		{name: "token with bad time", jid: "alice@example.com", hdr: bearer("x" + kopanoToken(testSecret, "alice@example.com", now)), want: 401},
		{name: "token with a space", jid: "alice@example.com", hdr: map[string]string{"Authorization": "Bearer 1 :a:b"}, want: 401},

		{name: "invalid JID", jid: "a@b@c", hdr: bearer(keyUnlimited), want: 400},
	}
	f := newFixture(t, writeOptions(t))
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			method := tt.method
			if method == "" {
				method = "PUT"
			}
			res, body := f.request(t, method, "/api/v1/presence/"+tt.jid, `{"status":"away"}`, tt.hdr)
			if res.StatusCode != tt.want {
				t.Fatalf("%s = %d %s, want %d", method, res.StatusCode, body, tt.want)
			}
			challenge := res.Header.Get("WWW-Authenticate")
			if (tt.want == 401) != (challenge != "") {
				t.Errorf("WWW-Authenticate = %q with %d", challenge, tt.want)
			}
			if tt.want != 200 && !strings.Contains(body, `"error"`) {
				t.Errorf("error body = %s", body)
			}
		})
	}
}

// Without -token-secret no token is valid, and without -api-keys no key.
func TestWriteAuthorizationUnconfigured(t *testing.T) {
	f := newFixture(t, Options{Now: func() time.Time { return testNow }})
	for _, hdr := range []map[string]string{
		bearer(kopanoToken("", "alice@example.com", testNow.Unix())),
		bearer(keyUnlimited),
	} {
		if res, body := f.request(t, "PUT", "/api/v1/presence/alice@example.com", `{"status":"away"}`, hdr); res.StatusCode != http.StatusUnauthorized {
			t.Errorf("%v = %d %s", hdr, res.StatusCode, body)
		}
	}
}
