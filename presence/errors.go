package presence

import "errors"

// Sentinel errors; the web layer maps them to HTTP status codes in one place.
var (
	// ErrBadJID marks a JID that is not valid (or not a bare JID when one is required).
	ErrBadJID = errors.New("invalid JID")
	// ErrBadStatus marks an unknown status or state name.
	ErrBadStatus = errors.New("invalid status")
)
