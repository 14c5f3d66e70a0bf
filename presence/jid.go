package presence

import (
	"fmt"
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
		return "", fmt.Errorf("%w: %q: %v", ErrBadJID, s, err)
	}
	bare := j.Bare().String()
	if strings.ContainsAny(bare, " \t\r\n") {
		return "", fmt.Errorf("%w: %q: contains white space", ErrBadJID, s)
	}
	return bare, nil
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
