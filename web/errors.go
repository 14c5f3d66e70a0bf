package web

import (
	"encoding/json"
	"errors"
	"strconv"
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
	}
	return http.StatusInternalServerError
}

// errBadRequest marks malformed input that has no sentinel of its own.
var errBadRequest = errors.New("bad request")

// hiddenCause is an error whose answer to the client is msg alone: its
// cause (a network error naming addresses, a library's message) goes to
// the log, never into an error body (docs/API.md#deployment).
type hiddenCause struct {
	msg, cause error
}

func (e hiddenCause) Error() string   { return e.msg.Error() }
func (e hiddenCause) Unwrap() []error { return []error{e.msg, e.cause} }

// withHiddenCause answers msg and logs cause.
func withHiddenCause(msg, cause error) error { return hiddenCause{msg: msg, cause: cause} }

// jsonProblem describes a JSON decoding error in the client's terms: where,
// and which field had the wrong type, without the decoder's own words.
func jsonProblem(err error) string {
	if te, ok := errors.AsType[*json.UnmarshalTypeError](err); ok && te.Field != "" {
		return "field " + strconv.Quote(te.Field) + " has the wrong type"
	}
	return "not valid JSON"
}

// writeErr answers err as a JSON API error with its mapped status. Server
// errors are logged and hidden from the client.
func (s *Server) writeErr(w http.ResponseWriter, r *http.Request, err error) {
	code := statusOf(err)
	msg := err.Error()
	if code == http.StatusUnauthorized {
		// RFC 9110 requires a challenge with every 401.
		w.Header().Set("WWW-Authenticate", `Bearer realm="badges"`)
	}
	if code >= 500 {
		s.log.Error("request failed", "method", r.Method, "path", r.URL.Path, "client", r.RemoteAddr, "err", err)
		msg = http.StatusText(code)
	} else if hc, ok := errors.AsType[hiddenCause](err); ok {
		s.log.Info("bad request", "method", r.Method, "path", r.URL.Path, "client", r.RemoteAddr, "cause", hc.cause)
	}
	writeError(w, code, msg)
}
