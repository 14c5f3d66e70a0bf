// Package auth holds the credentials of badges: kopano-compatible user
// tokens, API keys with a Tigase-style scope, bearer header parsing and the
// signatures of signed visibility (docs/API.md#configuration and #writing-presence).
//
// Everything here is a pure function of its inputs (the clock is passed in),
// so the web layer decides what a request may do and this package decides
// only whether a credential is genuine and what it covers.
//
// The two secrets-derived values never stand in for each other: a user token
// signs "TS:JID" and a visibility signature signs a message that starts with
// "badges-sig\x00", so one secret (-token-secret) can serve both.
package auth
