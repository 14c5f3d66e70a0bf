package presence

import (
	"fmt"
	"net"
	"strings"

	"mellium.im/xmpp/jid"
)

// MaxJIDLength bounds a JID as RFC 7622 does (three parts of 1023 bytes plus separators).
const MaxJIDLength = 3071

// ParseJID normalises s with PRECIS and reduces it to its bare JID
// (localpart@domainpart, or a domain alone). A full JID loses its resource.
func ParseJID(s string) (string, error) {
	if s == "" {
		return "", fmt.Errorf("%w: empty", ErrBadJID)
	}
	if len(s) > MaxJIDLength {
		return "", fmt.Errorf("%w: longer than %d bytes", ErrBadJID, MaxJIDLength)
	}
	j, err := jid.Parse(s)
	if err != nil {
		// The JID library's words (an IDNA rune, a PRECIS class) stay out
		// of the message, which reaches error bodies; the cause is kept.
		return "", badJID{msg: fmt.Sprintf("%s: %q: not a valid bare JID", ErrBadJID, s), cause: err}
	}
	d := j.Domainpart()
	// The JID package strips one final dot and accepts empty labels, so
	// "a@b.." would become "a@b.", a different JID once parsed again. A DNS
	// name has no empty label: refuse them, so that the result is canonical.
	if strings.HasPrefix(d, ".") || strings.HasSuffix(d, ".") || strings.Contains(d, "..") {
		return "", fmt.Errorf("%w: %q: empty domain label", ErrBadJID, s)
	}
	// It also keeps an IPv6 literal as written, so "[::FFFF]" and "[::ffff]"
	// would be two accounts: use the canonical text form (RFC 5952).
	if strings.HasPrefix(d, "[") {
		d = "[" + net.ParseIP(d[1:len(d)-1]).String() + "]"
	}
	if l := j.Localpart(); l != "" {
		return l + "@" + d, nil
	}
	return d, nil
}

// ParseRoom normalises a MUC room address. A room needs a local part.
func ParseRoom(s string) (string, error) {
	bare, err := ParseJID(s)
	if err != nil {
		return "", err
	}
	if !strings.Contains(bare, "@") {
		return "", fmt.Errorf("%w: room %q has no local part", ErrBadJID, s)
	}
	return bare, nil
}

// Domain returns the domain part of a bare JID.
func Domain(bare string) string {
	if i := strings.LastIndexByte(bare, '@'); i >= 0 {
		return bare[i+1:]
	}
	return bare
}

// Local returns the local part of a bare JID, or "" for a domain JID.
func Local(bare string) string {
	if i := strings.LastIndexByte(bare, '@'); i >= 0 {
		return bare[:i]
	}
	return ""
}

// badJID is ErrBadJID with a cause that its message leaves out.
type badJID struct {
	msg   string
	cause error
}

func (e badJID) Error() string   { return e.msg }
func (e badJID) Unwrap() []error { return []error{ErrBadJID, e.cause} }
