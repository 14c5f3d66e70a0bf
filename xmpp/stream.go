package xmpp

import (
	"encoding/xml"
	"errors"
	"fmt"
	"io"
)

// maxStanzaBytes bounds the bytes read for one top-level element, give or
// take the decoder's read-ahead of a few KiB. It must
// exceed what any server lets through (RFC 6120 13.12 asks for at least
// 10000 bytes; Prosody's default c2s limit is 256 KiB) and it keeps a broken
// or hostile peer from growing the watcher's memory without end.
const maxStanzaBytes = 1 << 20

// errStreamClosed reports that the server ended the stream.
var errStreamClosed = errors.New("xmpp: server closed the stream")

// streamReader reads the server-to-client stream, across the stream restarts
// of the login, and returns its stanzas. It never writes.
type streamReader struct {
	dec *xml.Decoder
	lim *limitReader
	// plainOnly is set in TLS mode none: a server that requires STARTTLS
	// there is a configuration error, reported at once.
	plainOnly bool
}

func newStreamReader(r io.Reader, plainOnly bool) *streamReader {
	lim := &limitReader{r: r}
	return &streamReader{dec: xml.NewDecoder(lim), lim: lim, plainOnly: plainOnly}
}

// next returns the next stanza; stream headers, features and the SASL
// exchange (which the library handles) are skipped. A stream error or the
// end of the stream is an error.
func (r *streamReader) next() (*stanza, error) {
	for {
		r.lim.n = 0
		se, err := nextStart(r.dec)
		if err != nil {
			return nil, err
		}
		if r.lim.n > maxStanzaBytes {
			return nil, errTooLarge
		}
		switch {
		case se.Name.Space == nsStream && se.Name.Local == "stream":
			// A stream (re)start: what follows are its children.
		case se.Name.Space == nsStream && se.Name.Local == "error":
			return nil, decodeStreamError(r.dec, &se)
		case se.Name.Space == nsStream && se.Name.Local == "features" && r.plainOnly:
			var f struct {
				StartTLS *struct {
					Required *struct{} `xml:"required"`
				} `xml:"urn:ietf:params:xml:ns:xmpp-tls starttls"`
			}
			if err := r.dec.DecodeElement(&f, &se); err != nil {
				return nil, r.fail(err)
			}
			if f.StartTLS != nil && f.StartTLS.Required != nil {
				return nil, errors.New("xmpp: the server requires TLS: use TLS mode starttls")
			}
		case se.Name.Space == "jabber:client" &&
			(se.Name.Local == "message" || se.Name.Local == "presence" || se.Name.Local == "iq"):
			st := new(stanza)
			if err := r.dec.DecodeElement(st, &se); err != nil {
				return nil, r.fail(err)
			}
			if r.lim.n > maxStanzaBytes {
				return nil, errTooLarge
			}
			return st, nil
		default:
			if err := r.dec.Skip(); err != nil {
				return nil, r.fail(err)
			}
		}
	}
}

func (r *streamReader) fail(err error) error {
	if r.lim.n > maxStanzaBytes {
		return errTooLarge
	}
	return err
}

var errTooLarge = fmt.Errorf("xmpp: a stanza exceeds %d bytes", maxStanzaBytes)

// limitReader counts the bytes read since the counter was last reset and
// fails reads once the count passes maxStanzaBytes.
type limitReader struct {
	r io.Reader
	n int
}

func (l *limitReader) Read(p []byte) (int, error) {
	if l.n > maxStanzaBytes {
		return 0, errTooLarge
	}
	n, err := l.r.Read(p)
	l.n += n
	return n, err
}

// decodeStreamError turns <stream:error/> (RFC 6120 4.9) into an error.
func decodeStreamError(dec *xml.Decoder, se *xml.StartElement) error {
	var e struct {
		Conditions []element `xml:",any"`
		Text       string    `xml:"urn:ietf:params:xml:ns:xmpp-streams text"`
	}
	if err := dec.DecodeElement(&e, se); err != nil {
		return fmt.Errorf("xmpp: stream error (unreadable): %w", err)
	}
	cond := "undefined-condition"
	for _, c := range e.Conditions {
		if c.XMLName.Local != "text" {
			cond = c.XMLName.Local
			break
		}
	}
	if e.Text != "" {
		return fmt.Errorf("xmpp: stream error %s: %s", cond, e.Text)
	}
	return fmt.Errorf("xmpp: stream error %s", cond)
}
