package auth

import (
	"fmt"
	"strings"
)

// maxBearerLen is the longest credential worth looking at: the longest user
// token, which is also far longer than any API key.
const maxBearerLen = maxTokenLen

// BearerToken extracts the credential from an Authorization header value of
// the form "Bearer CREDENTIAL" (scheme case-insensitive, RFC 7235). The
// credential is either an API key or a user token; a user token always holds
// a ':' and a key never does, which is how callers tell them apart.
//
// The credential is not held to RFC 6750's token68 alphabet, because a user
// token carries a JID, which may be any Unicode; only white space and control
// characters are refused. Every failure wraps ErrUnauthorized.
func BearerToken(header string) (string, error) {
	header = strings.Trim(header, " \t")
	if header == "" {
		return "", fmt.Errorf("%w: no Authorization header", ErrUnauthorized)
	}
	scheme, cred, _ := strings.Cut(header, " ")
	if !strings.EqualFold(scheme, "Bearer") {
		return "", fmt.Errorf("%w: Authorization scheme is not Bearer", ErrUnauthorized)
	}
	cred = strings.TrimLeft(cred, " ")
	switch {
	case cred == "":
		return "", fmt.Errorf("%w: empty bearer credential", ErrUnauthorized)
	case len(cred) > maxBearerLen:
		return "", fmt.Errorf("%w: bearer credential longer than %d bytes", ErrUnauthorized, maxBearerLen)
	case strings.IndexFunc(cred, func(r rune) bool { return r <= ' ' || r == 0x7f }) >= 0:
		return "", fmt.Errorf("%w: white space or control character in bearer credential", ErrUnauthorized)
	}
	return cred, nil
}
