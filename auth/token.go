package auth

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"strconv"
	"strings"
	"time"

	"badges/presence"
)

// User tokens follow kopano-presence byte for byte, so kopano clients and
// their token scripts work unchanged. What kopano does (kopano-core,
// ECtools/presence/test/create_token.py and the check_auth method in
// ECtools/presence/kopano_presence/__init__.py):
//
//   - The script prints "%d:%s:%s" of (t, userid, SIG) with t = int(time.time())
//     and SIG = HMAC-SHA256(secret, "%d:%s" % (t, userid)), encoded with
//     Python's "base64" codec (standard alphabet, padded, one 44-character line
//     plus a newline that strip() removes), then upper-cased.
//   - userid is the user's "account@domain" (kopano's README), which for XMPP
//     is the bare JID.
//   - The server splits the token at every ':' into exactly three parts, so a
//     token whose JID holds a ':' makes it fail with an exception instead of
//     a 401. It recomputes the upper-cased base64 over the received "t:userid"
//     bytes and compares it with == (not in constant time), so a SIG in any
//     other case is refused.
//   - It refuses a token when now - t > server_token_expire minutes (default
//     5): a token exactly as old as the lifetime still passes. A timestamp in
//     the future is not checked at all. Every failure is a 401.
//   - The token's userid is not compared with the user_id entries of the
//     request: any valid token may write any user.
//
// Where badges differs, it is stricter: the comparison is constant-time, a
// token more than maxFuture ahead is refused, TS must be plain decimal as the
// script writes it (Python's int() would also take "+5" or "0005"), and the
// web layer lets a token write only its own JID (docs/API.md#writing-presence).

const (
	// maxFuture tolerates clock skew between the token issuer and this server
	// (docs/API.md#writing-presence: at most 30 s in the future).
	maxFuture = 30 // seconds

	// maxTSDigits is the length of the largest int64; longer TS cannot be Unix seconds.
	maxTSDigits = 19
	// sigLen is the length of padded base64 of a 32-byte HMAC-SHA256.
	sigLen = 44
	// maxTokenLen lets the longest valid JID through and stops absurd input
	// before any work is spent on it.
	maxTokenLen = maxTSDigits + 1 + presence.MaxJIDLength + 1 + sigLen
)

// NewToken returns the user token for jid issued at now, in kopano's format
// TS:JID:SIG. The JID is signed exactly as given, so callers normalise it
// first (presence.ParseJID) if they want the canonical form. An empty secret
// yields a token that VerifyToken never accepts.
func NewToken(secret []byte, jid string, now time.Time) string {
	ts := strconv.FormatInt(now.Unix(), 10)
	return ts + ":" + jid + ":" + tokenSig(secret, ts, jid)
}

// VerifyToken checks a user token against secret at time now and returns its
// JID as a normalised bare JID. A token is valid while now is at most 30 s
// before its TS and at most ttl after it, both ends included (kopano too
// accepts a token exactly ttl old). The error wraps ErrMalformed,
// ErrBadSignature, ErrExpired or ErrFuture; the signature is checked before
// the time, so a well-formed forgery learns nothing about its timestamp.
// A ttl that is not positive accepts no token.
func VerifyToken(secret []byte, token string, now time.Time, ttl time.Duration) (jid string, err error) {
	if len(secret) == 0 {
		return "", fmt.Errorf("%w: no token secret configured", ErrBadSignature)
	}
	tsText, ts, rawJID, sig, err := splitToken(token)
	if err != nil {
		return "", err
	}
	// Upper-casing loses information, so the received SIG cannot be decoded
	// back to the HMAC: compare the upper-cased expected text instead.
	want := tokenSig(secret, tsText, rawJID)
	if !hmac.Equal([]byte(want), []byte(sig)) {
		return "", ErrBadSignature
	}
	jid, err = presence.ParseJID(rawJID)
	if err != nil {
		return "", fmt.Errorf("%w: %w", ErrMalformed, err)
	}
	if ttl <= 0 {
		return "", fmt.Errorf("%w: token lifetime is %s", ErrExpired, ttl)
	}
	// Comparisons are arranged so that no subtraction can overflow: ts is
	// never negative, and nowU-ts is only taken when nowU > ts.
	nowU := now.Unix()
	switch {
	case ts-maxFuture > nowU:
		return "", fmt.Errorf("%w: issued at %d, now %d, at most %d s ahead allowed", ErrFuture, ts, nowU, maxFuture)
	case nowU > ts && nowU-ts > int64(ttl/time.Second):
		// Whole seconds: age > ttl/1s (floored) is exactly age*1s > ttl.
		return "", fmt.Errorf("%w: issued %d s ago, lifetime %s", ErrExpired, nowU-ts, ttl)
	}
	return jid, nil
}

// splitToken takes TS up to the first ':' and SIG after the last one, so a
// JID that holds a ':' (an IPv6 domain literal, a resource) stays in one piece.
func splitToken(token string) (tsText string, ts int64, jid, sig string, err error) {
	if len(token) > maxTokenLen {
		return "", 0, "", "", fmt.Errorf("%w: longer than %d bytes", ErrMalformed, maxTokenLen)
	}
	first := strings.IndexByte(token, ':')
	last := strings.LastIndexByte(token, ':')
	if first < 0 || first == last {
		return "", 0, "", "", fmt.Errorf("%w: want TS:JID:SIG", ErrMalformed)
	}
	tsText, jid, sig = token[:first], token[first+1:last], token[last+1:]
	ts, err = parseTS(tsText)
	if err != nil {
		return "", 0, "", "", err
	}
	if jid == "" {
		return "", 0, "", "", fmt.Errorf("%w: empty JID", ErrMalformed)
	}
	if len(sig) != sigLen {
		return "", 0, "", "", fmt.Errorf("%w: signature has %d characters, want %d", ErrMalformed, len(sig), sigLen)
	}
	return tsText, ts, jid, sig, nil
}

// parseTS accepts TS exactly as kopano's script writes it: decimal digits,
// no sign, no leading zero. One spelling per instant keeps tokens canonical.
func parseTS(s string) (int64, error) {
	if s == "" || len(s) > maxTSDigits {
		return 0, fmt.Errorf("%w: timestamp must have 1 to %d digits", ErrMalformed, maxTSDigits)
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return 0, fmt.Errorf("%w: timestamp is not decimal Unix seconds", ErrMalformed)
		}
	}
	if len(s) > 1 && s[0] == '0' {
		return 0, fmt.Errorf("%w: timestamp has a leading zero", ErrMalformed)
	}
	ts, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return 0, fmt.Errorf("%w: timestamp: %w", ErrMalformed, err)
	}
	return ts, nil
}

// tokenSig is UPPER(BASE64(HMAC-SHA256(secret, ts ":" jid))), kopano's SIG.
func tokenSig(secret []byte, ts, jid string) string {
	mac := hmac.New(sha256.New, secret)
	mac.Write([]byte(ts))
	mac.Write([]byte{':'})
	mac.Write([]byte(jid))
	return strings.ToUpper(base64.StdEncoding.EncodeToString(mac.Sum(nil)))
}
