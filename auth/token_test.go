package auth

import (
	"errors"
	"strings"
	"testing"
	"time"

	"badges/presence"
)

var testSecret = []byte("s3cret-for-tests")

// The vectors were computed outside Go, with
//
//	printf '%s' "TS:JID" | openssl dgst -sha256 -hmac SECRET -binary | base64 | tr a-z A-Z
//
// The second uses the secret and user of kopano's own create_token.py.
func TestNewTokenVectors(t *testing.T) {
	tests := []struct {
		secret, jid string
		ts          int64
		want        string
	}{
		{"s3cret-for-tests", "alice@example.com", 1700000000,
			"1700000000:alice@example.com:XEXB3QZTRWECQXKCVBND12HNK5U1UPWBOFUWFPBYRGC="},
		{"GEHEIM", "markd@kopano.com", 1415697944,
			"1415697944:markd@kopano.com:AZOZTQDHUN/T940+GBZQ6REEIFTNUGLP7LICRNNDALS="},
	}
	for _, tt := range tests {
		now := time.Unix(tt.ts, 0)
		if got := NewToken([]byte(tt.secret), tt.jid, now); got != tt.want {
			t.Errorf("NewToken(%q, %q, %d) = %q, want %q", tt.secret, tt.jid, tt.ts, got, tt.want)
		}
		jid, err := VerifyToken([]byte(tt.secret), tt.want, now, 5*time.Minute)
		if err != nil || jid != tt.jid {
			t.Errorf("VerifyToken(%q) = %q, %v; want %q, nil", tt.want, jid, err, tt.jid)
		}
	}
}

func TestVerifyToken(t *testing.T) {
	const ts = 1700000000
	issued := time.Unix(ts, 0)
	ttl := 5 * time.Minute
	valid := NewToken(testSecret, "alice@example.com", issued)
	sig := valid[strings.LastIndexByte(valid, ':')+1:]

	tests := []struct {
		name    string
		token   string
		now     time.Time
		ttl     time.Duration
		secret  []byte
		wantJID string
		wantErr error
	}{
		{name: "fresh", token: valid, now: issued, wantJID: "alice@example.com"},
		{name: "sub-second clock", token: valid, now: issued.Add(999 * time.Millisecond), wantJID: "alice@example.com"},
		{name: "one second before expiry", token: valid, now: issued.Add(ttl - time.Second), wantJID: "alice@example.com"},
		{name: "exactly ttl old, kopano accepts", token: valid, now: issued.Add(ttl), wantJID: "alice@example.com"},
		{name: "ttl old plus a fraction of the next second", token: valid, now: issued.Add(ttl + 500*time.Millisecond), wantJID: "alice@example.com"},
		{name: "one second past ttl", token: valid, now: issued.Add(ttl + time.Second), wantErr: ErrExpired},
		{name: "ttl not whole seconds", token: valid, now: issued.Add(2 * time.Second), ttl: 1500 * time.Millisecond, wantErr: ErrExpired},
		{name: "zero ttl accepts nothing", token: valid, now: issued, ttl: -1, wantErr: ErrExpired},
		{name: "29 s in the future", token: valid, now: issued.Add(-29 * time.Second), wantJID: "alice@example.com"},
		{name: "30 s in the future", token: valid, now: issued.Add(-30 * time.Second), wantJID: "alice@example.com"},
		{name: "31 s in the future", token: valid, now: issued.Add(-31 * time.Second), wantErr: ErrFuture},
		{name: "far future clock", token: valid, now: time.Unix(1<<62, 0), wantErr: ErrExpired},
		{name: "far past clock", token: valid, now: time.Unix(-1<<62, 0), wantErr: ErrFuture},
		{name: "wrong secret", token: valid, now: issued, secret: []byte("other"), wantErr: ErrBadSignature},
		{name: "no secret", token: valid, now: issued, secret: []byte{}, wantErr: ErrBadSignature},
		{name: "other JID", token: "1700000000:bob@example.com:" + sig, now: issued, wantErr: ErrBadSignature},
		{name: "other TS", token: "1700000001:alice@example.com:" + sig, now: issued, wantErr: ErrBadSignature},
		// kopano compares the received SIG with the upper-cased one byte for
		// byte, so it refuses a lower-cased SIG; so do we.
		{name: "lower-cased sig", token: "1700000000:alice@example.com:" + strings.ToLower(sig), now: issued, wantErr: ErrBadSignature},
		// A forged token must not learn whether its time would pass.
		{name: "forged and expired", token: "1:alice@example.com:" + sig, now: issued, wantErr: ErrBadSignature},
		{name: "signed JID is normalised", token: NewToken(testSecret, "Alice@EXAMPLE.com", issued), now: issued, wantJID: "alice@example.com"},
		{name: "full JID reduced to bare", token: NewToken(testSecret, "alice@example.com/phone:1", issued), now: issued, wantJID: "alice@example.com"},
		{name: "IPv6 domain literal", token: NewToken(testSecret, "alice@[::1]", issued), now: issued, wantJID: "alice@[::1]"},
		{name: "signed but invalid JID", token: NewToken(testSecret, "alice smith@example.com", issued), now: issued, wantErr: ErrMalformed},
		{name: "empty", token: "", now: issued, wantErr: ErrMalformed},
		{name: "no colon", token: "1700000000", now: issued, wantErr: ErrMalformed},
		{name: "one colon", token: "1700000000:alice@example.com", now: issued, wantErr: ErrMalformed},
		{name: "only colons", token: "::", now: issued, wantErr: ErrMalformed},
		{name: "empty JID", token: "1700000000::" + sig, now: issued, wantErr: ErrMalformed},
		{name: "empty TS", token: ":alice@example.com:" + sig, now: issued, wantErr: ErrMalformed},
		{name: "TS not a number", token: "17000OOOOO:alice@example.com:" + sig, now: issued, wantErr: ErrMalformed},
		{name: "TS with sign", token: "+1700000000:alice@example.com:" + sig, now: issued, wantErr: ErrMalformed},
		{name: "negative TS", token: "-1:alice@example.com:" + sig, now: issued, wantErr: ErrMalformed},
		{name: "TS with leading zero", token: "01700000000:alice@example.com:" + sig, now: issued, wantErr: ErrMalformed},
		{name: "TS with space", token: " 1700000000:alice@example.com:" + sig, now: issued, wantErr: ErrMalformed},
		{name: "TS beyond int64", token: "9999999999999999999:alice@example.com:" + sig, now: issued, wantErr: ErrMalformed},
		{name: "TS of 20 digits", token: "10000000000000000000:alice@example.com:" + sig, now: issued, wantErr: ErrMalformed},
		{name: "short sig", token: valid[:len(valid)-1], now: issued, wantErr: ErrMalformed},
		{name: "sig without padding", token: strings.TrimRight(valid, "="), now: issued, wantErr: ErrMalformed},
		{name: "long sig", token: valid + "=", now: issued, wantErr: ErrMalformed},
		{name: "trailing newline", token: valid + "\n", now: issued, wantErr: ErrMalformed},
		{name: "absurdly long", token: "1700000000:" + strings.Repeat("a", 1<<20) + ":" + sig, now: issued, wantErr: ErrMalformed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			secret := testSecret
			if tt.secret != nil {
				secret = tt.secret
			}
			ttlFor := ttl
			if tt.ttl != 0 {
				ttlFor = tt.ttl
			}
			jid, err := VerifyToken(secret, tt.token, tt.now, ttlFor)
			if !errors.Is(err, tt.wantErr) || (tt.wantErr == nil && err != nil) {
				t.Fatalf("err = %v, want %v", err, tt.wantErr)
			}
			if jid != tt.wantJID {
				t.Errorf("jid = %q, want %q", jid, tt.wantJID)
			}
		})
	}
}

func TestVerifyTokenBadJIDKeepsCause(t *testing.T) {
	now := time.Unix(1700000000, 0)
	_, err := VerifyToken(testSecret, NewToken(testSecret, "a b@example.com", now), now, time.Minute)
	if !errors.Is(err, ErrMalformed) || !errors.Is(err, presence.ErrBadJID) {
		t.Errorf("err = %v, want both ErrMalformed and presence.ErrBadJID", err)
	}
}

// The longest valid JID must fit in a token, or some users could never get one.
func TestVerifyTokenLongestJID(t *testing.T) {
	now := time.Unix(1700000000, 0)
	jid := strings.Repeat("a", 1023) + "@" + strings.Repeat("b", 63) + "." + strings.Repeat("c", 63)
	want, err := presence.ParseJID(jid)
	if err != nil {
		t.Fatalf("ParseJID: %v", err)
	}
	got, err := VerifyToken(testSecret, NewToken(testSecret, jid, now), now, time.Minute)
	if err != nil || got != want {
		t.Errorf("VerifyToken = %q, %v; want %q, nil", got, err, want)
	}
}

// FuzzVerifyToken feeds both arbitrary text and well-signed tokens for
// arbitrary JIDs: the first must never panic or pass, the second must pass
// exactly when the JID is valid and must give back its normalised form.
func FuzzVerifyToken(f *testing.F) {
	f.Add("1700000000:alice@example.com:XEXB3QZTRWECQXKCVBND12HNK5U1UPWBOFUWFPBYRGC=", "alice@example.com", uint32(1700000000))
	f.Add("::", "Alice@Example.com/phone", uint32(0))
	f.Add("1:[::1]:x", "alice@[::1]", uint32(1))
	f.Add("01:a@b:"+strings.Repeat("=", 44), "a b@example.com", uint32(4294967295))
	f.Fuzz(func(t *testing.T, token, jid string, ts uint32) {
		now := time.Unix(int64(ts), 0)
		if got, err := VerifyToken(testSecret, token, now, time.Minute); err == nil {
			// Passing without the secret would be a forgery; only a token
			// NewToken itself would write may pass.
			first, last := strings.IndexByte(token, ':'), strings.LastIndexByte(token, ':')
			if NewToken(testSecret, token[first+1:last], time.Unix(mustParseTS(t, token[:first]), 0)) != token {
				t.Fatalf("VerifyToken(%q) = %q without being a token NewToken writes", token, got)
			}
		} else if !errors.Is(err, ErrMalformed) && !errors.Is(err, ErrBadSignature) && !errors.Is(err, ErrExpired) && !errors.Is(err, ErrFuture) {
			t.Fatalf("VerifyToken(%q) err = %v, not a sentinel", token, err)
		}

		signed := NewToken(testSecret, jid, now)
		got, err := VerifyToken(testSecret, signed, now, time.Minute)
		want, jidErr := presence.ParseJID(jid)
		switch {
		case jidErr != nil && !errors.Is(err, ErrMalformed):
			t.Fatalf("token for invalid JID %q: err = %v, want ErrMalformed", jid, err)
		case jidErr == nil && (err != nil || got != want):
			t.Fatalf("token for %q = %q, %v; want %q", jid, got, err, want)
		}
	})
}

func mustParseTS(t *testing.T, s string) int64 {
	t.Helper()
	ts, err := parseTS(s)
	if err != nil {
		t.Fatalf("accepted token has TS %q: %v", s, err)
	}
	return ts
}
