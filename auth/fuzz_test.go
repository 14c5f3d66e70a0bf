package auth

import (
	"errors"
	"strings"
	"testing"
	"time"

	"badges/presence"
)

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

// FuzzParseKey checks that parsing never panics, never echoes the key in an
// error, and that a parsed scope is a fixed point: printing it and parsing
// it again gives the same scope.
func FuzzParseKey(f *testing.F) {
	for _, s := range []string{
		keyA,
		keyA + ":domain=a.example,B.example:regex=^/api/v1/presence/",
		keyA + ":regex=^/(?:a|b):domain=a.example",
		keyA + ":domain=a.example:domain=b.example",
		keyA + ":foo=bar",
		":domain=",
		" " + keyA + " ",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, spec string) {
		k, err := ParseKey(spec)
		secret, _, _ := strings.Cut(strings.TrimSpace(spec), ":")
		if err != nil {
			if !errors.Is(err, ErrBadKey) {
				t.Fatalf("ParseKey(%q) err = %v, not ErrBadKey", spec, err)
			}
			_, rest, _ := strings.Cut(strings.TrimSpace(spec), ":")
			if len(secret) >= MinKeyLength && !strings.Contains(rest, secret) && strings.Contains(err.Error(), secret) {
				t.Fatalf("ParseKey(%q) err = %q echoes the key", spec, err)
			}
			return
		}
		scope := k.Scope()
		k2, err := ParseKey(secret + scope)
		if err != nil {
			t.Fatalf("ParseKey(%q) of canonical form of %q: %v", secret+scope, spec, err)
		}
		if k2.Scope() != scope || k2.sum != k.sum {
			t.Fatalf("round trip of %q: scope %q became %q", spec, scope, k2.Scope())
		}
		ks := &Keys{keys: []Key{k}}
		if errors.Is(ks.Authorize(secret, "", "/"), ErrUnauthorized) {
			t.Fatalf("ParseKey(%q): its own key is unknown", spec)
		}
	})
}

// FuzzBearerToken checks that a credential, once extracted, has no white
// space or control characters left and round-trips through a header.
func FuzzBearerToken(f *testing.F) {
	f.Add("Bearer " + keyA)
	f.Add("bearer   x ")
	f.Add("Basic abc")
	f.Fuzz(func(t *testing.T, header string) {
		cred, err := BearerToken(header)
		if err != nil {
			if !errors.Is(err, ErrUnauthorized) {
				t.Fatalf("BearerToken(%q) err = %v, not ErrUnauthorized", header, err)
			}
			return
		}
		if cred == "" || strings.ContainsFunc(cred, func(r rune) bool { return r <= ' ' || r == 0x7f }) {
			t.Fatalf("BearerToken(%q) = %q", header, cred)
		}
		if again, err := BearerToken("Bearer " + cred); err != nil || again != cred {
			t.Fatalf("round trip of %q = %q, %v", cred, again, err)
		}
	})
}
