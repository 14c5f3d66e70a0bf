package auth

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"strings"
	"testing"
	"time"
)

// The vectors were computed outside Go, with
//
//	printf 'badges-sig\0KIND\0NAME' | openssl dgst -sha256 -hmac SECRET -binary |
//		head -c16 | base64 | tr '+/' '-_' | tr -d '='
func TestSignVectors(t *testing.T) {
	tests := []struct{ kind, name, want string }{
		{KindJID, "alice@example.com", "qRKWXumIG9Q71-azXrGunw"},
		{KindRoom, "chat@rooms.example.com", "aTJk0fNf4iBsmEnYbqSSrg"},
	}
	for _, tt := range tests {
		if got := Sign(testSecret, tt.kind, tt.name); got != tt.want {
			t.Errorf("Sign(%q, %q) = %q, want %q", tt.kind, tt.name, got, tt.want)
		}
	}
}

func TestVerifySig(t *testing.T) {
	const jid = "alice@example.com"
	sig := Sign(testSecret, KindJID, jid)
	tests := []struct {
		name         string
		secret       []byte
		kind, target string
		sig          string
		want         bool
	}{
		{"genuine", testSecret, KindJID, jid, sig, true},
		{"other JID", testSecret, KindJID, "bob@example.com", sig, false},
		{"same name as a room", testSecret, KindRoom, jid, sig, false},
		{"unknown kind", testSecret, "user", jid, sig, false},
		{"other secret", []byte("other"), KindJID, jid, sig, false},
		{"no secret", nil, KindJID, jid, sig, false},
		{"empty sig", testSecret, KindJID, jid, "", false},
		{"truncated", testSecret, KindJID, jid, sig[:21], false},
		{"padded", testSecret, KindJID, jid, sig + "==", false},
		{"case changed", testSecret, KindJID, jid, strings.ToUpper(sig), false},
		{"untruncated", testSecret, KindJID, jid, fullSig(testSecret, KindJID, jid), false},
	}
	for _, tt := range tests {
		if got := VerifySig(tt.secret, tt.kind, tt.target, tt.sig); got != tt.want {
			t.Errorf("%s: VerifySig = %v, want %v", tt.name, got, tt.want)
		}
	}
	if got := Sign(nil, KindJID, jid); got != "" {
		t.Errorf("Sign without a secret = %q, want empty", got)
	}
	if got := Sign(testSecret, "user", jid); got != "" {
		t.Errorf("Sign of an unknown kind = %q, want empty", got)
	}
}

// A token signature and a visibility signature made with the same secret
// must never stand in for each other, in either encoding.
func TestTokenAndSigAreSeparate(t *testing.T) {
	const jid = "alice@example.com"
	now := time.Unix(1700000000, 0)
	token := NewToken(testSecret, jid, now)
	tokenSig := token[strings.LastIndexByte(token, ':')+1:]
	mac := hmac.New(sha256.New, testSecret)
	mac.Write([]byte("1700000000:" + jid))
	raw := mac.Sum(nil)
	for _, kind := range []string{KindJID, KindRoom} {
		for _, name := range []string{jid, "1700000000:" + jid, ""} {
			for _, s := range []string{tokenSig, base64.RawURLEncoding.EncodeToString(raw[:sigBytes]), base64.RawURLEncoding.EncodeToString(raw)} {
				if VerifySig(testSecret, kind, name, s) {
					t.Errorf("token HMAC accepted as sig for %s %q", kind, name)
				}
			}
		}
	}

	// The other way round: the visibility HMAC, truncated or whole, in any
	// encoding, used as a token SIG.
	sig := Sign(testSecret, KindJID, jid)
	full := mustDecode(t, fullSig(testSecret, KindJID, jid))
	for _, s := range []string{
		sig,
		strings.ToUpper(sig),
		strings.ToUpper(base64.StdEncoding.EncodeToString(full)),
	} {
		tok := "1700000000:" + jid + ":" + s
		if _, err := VerifyToken(testSecret, tok, now, time.Minute); err == nil {
			t.Errorf("visibility signature accepted as token: %q", tok)
		}
	}
}

// fullSig is the untruncated HMAC behind Sign, built independently of it.
func fullSig(secret []byte, kind, name string) string {
	mac := hmac.New(sha256.New, secret)
	mac.Write([]byte("badges-sig\x00" + kind + "\x00" + name))
	return base64.RawURLEncoding.EncodeToString(mac.Sum(nil))
}

func mustDecode(t *testing.T, s string) []byte {
	t.Helper()
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		t.Fatalf("decode %q: %v", s, err)
	}
	return b
}
