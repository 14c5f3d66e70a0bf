package auth

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
)

// Kinds of name a visibility signature can cover. The kind is part of the
// signed message, so a signature for a JID never opens a room of the same
// name, nor the reverse.
const (
	KindJID  = "jid"
	KindRoom = "room"
)

const (
	// sigContext starts every signed message. A user token signs "TS:JID",
	// which starts with a digit, so no token signature can ever be a
	// visibility signature of the same secret, nor the reverse.
	sigContext = "badges-sig\x00"
	// sigBytes truncates the HMAC to 128 bits: a forger still needs about
	// 2^128 online guesses, and a 22-character sig keeps badge URLs short.
	sigBytes = 16
)

// Sign returns the sig value that opens name (a normalised bare JID or room
// address) under -visibility signed: base64url without padding of the first
// 128 bits of HMAC-SHA256(secret, "badges-sig\x00" kind "\x00" name).
// With an empty secret or a kind other than KindJID and KindRoom it returns
// "", which VerifySig never accepts.
func Sign(secret []byte, kind, name string) string {
	if len(secret) == 0 || (kind != KindJID && kind != KindRoom) {
		return ""
	}
	mac := hmac.New(sha256.New, secret)
	mac.Write([]byte(sigContext))
	mac.Write([]byte(kind))
	mac.Write([]byte{0})
	mac.Write([]byte(name))
	return base64.RawURLEncoding.EncodeToString(mac.Sum(nil)[:sigBytes])
}

// VerifySig reports whether sig is Sign(secret, kind, name), in constant time.
// The texts are compared rather than decoded bytes, because a decoder that
// ignores the unused low bits of the last character would accept several
// spellings of one signature.
func VerifySig(secret []byte, kind, name, sig string) bool {
	want := Sign(secret, kind, name)
	return want != "" && hmac.Equal([]byte(want), []byte(sig))
}
