package web

import (
	"fmt"
	"net/http"
	"strings"
	"time"

	"badges/auth"
)

// presencePath is the prefix of the write API's canonical paths.
const presencePath = "/api/v1/presence/"

// defaultTokenTTL is a user token's lifetime when Options leave it out
// (docs/API.md#configuration: -token-ttl defaults to 5m, as kopano's server_token_expire).
const defaultTokenTTL = 5 * time.Minute

// credentials decides who may write presence (docs/API.md#writing-presence): API keys with
// their scopes, and user tokens, each for its own JID only. The auth
// package says whether a credential is genuine; this type says what a
// genuine one may do here.
type credentials struct {
	keys   *auth.Keys // nil: no key is valid
	secret []byte     // empty: no token is valid
	ttl    time.Duration
	now    func() time.Time
}

func newCredentials(opt Options, now func() time.Time) *credentials {
	ttl := opt.TokenTTL
	if ttl <= 0 {
		ttl = defaultTokenTTL
	}
	return &credentials{keys: opt.APIKeys, secret: opt.TokenSecret, ttl: ttl, now: now}
}

// authorizeWrite decides whether the bearer credential of r may write the
// presence of jid, a normalised bare JID. A credential holding a ':' is a
// user token (a key never holds one); anything else is an API key, whose
// path scope is matched against the canonical path of the write,
// /api/v1/presence/{bare JID}: never the request's own spelling, whose
// resource part or case the write drops and which could otherwise satisfy
// a regex the target JID does not. Errors wrap
// auth.ErrForbidden (403) for a genuine credential out of its scope, else
// one of the 401 sentinels. own reports a user token of jid itself.
func (c *credentials) authorizeWrite(r *http.Request, jid string) (own bool, err error) {
	cred, err := auth.BearerToken(r.Header.Get("Authorization"))
	if err != nil {
		return false, err
	}
	if strings.Contains(cred, ":") {
		if err := c.tokenMayWrite(cred, jid); err != nil {
			return false, err
		}
		return true, nil
	}
	if err := c.keys.Authorize(cred, jid, presencePath+jid); err != nil {
		return false, fmt.Errorf("write %s: %w", jid, err)
	}
	return false, nil
}

// tokenMayWrite checks that token is genuine, current and jid's own.
func (c *credentials) tokenMayWrite(token, jid string) error {
	owner, err := c.tokenOwner(token)
	if err != nil {
		return err
	}
	if owner != jid {
		return fmt.Errorf("write %s: %w: a user token writes only its own JID", jid, auth.ErrForbidden)
	}
	return nil
}

// tokenOwner returns the normalised JID a genuine, current user token was
// issued for.
func (c *credentials) tokenOwner(token string) (string, error) {
	owner, err := auth.VerifyToken(c.secret, token, c.now(), c.ttl)
	if err != nil {
		return "", fmt.Errorf("user token: %w", err)
	}
	return owner, nil
}
