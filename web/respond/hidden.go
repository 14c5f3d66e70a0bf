package respond

import (
	"encoding/json"
	"errors"
	"strconv"
)

// hiddenCause is an error whose answer to the client is msg alone: its
// cause (a network error naming addresses, a library's message) goes to
// the log, never into an error body (docs/API.md#deployment).
type hiddenCause struct {
	msg, cause error
}

func (e hiddenCause) Error() string   { return e.msg.Error() }
func (e hiddenCause) Unwrap() []error { return []error{e.msg, e.cause} }

// WithHiddenCause answers msg and logs cause (Err).
func WithHiddenCause(msg, cause error) error { return hiddenCause{msg: msg, cause: cause} }

// JSONProblem describes a JSON decoding error in the client's terms: which
// field had the wrong type, or that the body is not JSON, without the
// decoder's own words.
func JSONProblem(err error) string {
	if te, ok := errors.AsType[*json.UnmarshalTypeError](err); ok && te.Field != "" {
		return "field " + strconv.Quote(te.Field) + " has the wrong type"
	}
	return "not valid JSON"
}
