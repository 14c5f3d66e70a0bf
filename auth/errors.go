package auth

import "errors"

// Sentinel errors. Every error returned by this package wraps exactly one of
// them, so the web layer can map them to HTTP status codes in one place:
// ErrForbidden is a 403, every other one a 401 (kopano answers every token
// failure with a 401 too). ErrBadKey is a configuration error, never a
// request error.
var (
	// ErrMalformed marks a user token that is not TS:JID:SIG.
	ErrMalformed = errors.New("malformed token")
	// ErrBadSignature marks a token whose signature does not match, or any
	// token when no secret is configured.
	ErrBadSignature = errors.New("bad token signature")
	// ErrExpired marks a token older than the token lifetime.
	ErrExpired = errors.New("token expired")
	// ErrFuture marks a token issued too far in the future to be explained by
	// clock skew.
	ErrFuture = errors.New("token issued in the future")
	// ErrUnauthorized marks a missing, malformed or unknown bearer credential.
	ErrUnauthorized = errors.New("missing or unknown credentials")
	// ErrForbidden marks a genuine API key used outside its domain or path scope.
	ErrForbidden = errors.New("credentials not valid for this request")
	// ErrBadKey marks an API key specification that cannot be parsed.
	ErrBadKey = errors.New("invalid API key")
)
