package web

import (
	"errors"
	"net/http"

	"badges/auth"
	"badges/presence"
)

// statusOf maps the project's sentinel errors to HTTP status codes, in one place.
func statusOf(err error) int {
	var tooBig *http.MaxBytesError
	switch {
	case err == nil:
		return http.StatusOK
	// Credentials first: a token whose JID is invalid is a bad token (401),
	// not a bad request, although its error wraps presence.ErrBadJID too.
	case errors.Is(err, auth.ErrUnauthorized), errors.Is(err, auth.ErrMalformed),
		errors.Is(err, auth.ErrBadSignature), errors.Is(err, auth.ErrExpired), errors.Is(err, auth.ErrFuture):
		return http.StatusUnauthorized
	case errors.Is(err, auth.ErrForbidden):
		return http.StatusForbidden
	case errors.Is(err, presence.ErrBadJID), errors.Is(err, presence.ErrBadStatus), errors.Is(err, errBadRequest):
		return http.StatusBadRequest
	case errors.As(err, &tooBig):
		return http.StatusRequestEntityTooLarge
	case errors.Is(err, presence.ErrUnavailable), errors.Is(err, presence.ErrFenced):
		return http.StatusServiceUnavailable
	}
	return http.StatusInternalServerError
}

// retryAfterUnavailable is the Retry-After of a write refused while the
// shared store is away: about how long a Redis restart takes.
const retryAfterUnavailable = "2"

// errBadRequest marks malformed input that has no sentinel of its own.
var errBadRequest = errors.New("bad request")

// writeErr answers err as a JSON API error with its mapped status. Server
// errors are logged and hidden from the client.
func (s *Server) writeErr(w http.ResponseWriter, r *http.Request, err error) {
	code := statusOf(err)
	msg := err.Error()
	if code == http.StatusUnauthorized {
		// RFC 9110 requires a challenge with every 401.
		w.Header().Set("WWW-Authenticate", `Bearer realm="badges"`)
	}
	if code == http.StatusServiceUnavailable {
		// The shared store is away; a write may be tried again soon
		// (docs/API.md#storage-and-scale).
		w.Header().Set("Retry-After", retryAfterUnavailable)
	}
	if code >= 500 {
		s.log.Error("request failed", "method", r.Method, "path", r.URL.Path, "err", err)
		msg = http.StatusText(code)
	}
	writeError(w, code, msg)
}
