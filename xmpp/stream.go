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
// 10000 bytes; Prosody's default c2s limit is 256 KiB) and a picture of
// avatar.MaxBytes in base64 (4/3 of it) with its stanza, so that one too
// large is refused by its size rather than by the connection; it keeps a
// broken or hostile peer from growing the watcher's memory without end.
const maxStanzaBytes = 2 << 20

// errStreamClosed reports that the server ended the stream.
var errStreamClosed = errors.New("server closed the stream")

// nsClient is the default namespace of a client stream (RFC 6120 4.8.3).
const nsClient = "jabber:client"

// streamReader reads the server-to-client stream, across the stream restart
// after SASL: the login reads the negotiation elements through element,
// then the link reads stanzas through next. It never writes.
//
// One decoder serves the whole connection. After <success/> the server
// sends nothing until our new stream header, so no byte of the restarted
// stream can hide in a discarded decoder's buffer, and the restarted
// stream's header simply opens inside the first, which the decoder allows.
type streamReader struct {
	dec *xml.Decoder
	lim *limitReader
}

func newStreamReader(r io.Reader) *streamReader {
	lim := &limitReader{r: r}
	return &streamReader{dec: xml.NewDecoder(lim), lim: lim}
}

// element returns the start of the next top-level element of the stream:
// stream headers are passed over, a stream error or the end of the stream
// is an error. The caller reads or skips the element.
func (r *streamReader) element() (xml.StartElement, error) {
	for {
		r.lim.n = 0
		se, err := nextStart(r.dec)
		if err != nil {
			return se, r.fail(err)
		}
		if r.lim.n > maxStanzaBytes {
			return se, errTooLarge
		}
		switch {
		case se.Name.Space == nsStream && se.Name.Local == "stream":
			// A stream (re)start: what follows are its children.
		case se.Name.Space == nsStream && se.Name.Local == "error":
			return se, decodeStreamError(r.dec, &se)
		default:
			return se, nil
		}
	}
}

// decode reads the element se starts into v.
func (r *streamReader) decode(v any, se *xml.StartElement) error {
	if err := r.dec.DecodeElement(v, se); err != nil {
		return r.fail(err)
	}
	if r.lim.n > maxStanzaBytes {
		return errTooLarge
	}
	return nil
}

// skip passes over the rest of the element just started.
func (r *streamReader) skip() error { return r.fail(r.dec.Skip()) }

// next returns the next stanza; anything else is skipped.
func (r *streamReader) next() (*stanza, error) {
	for {
		se, err := r.element()
		if err != nil {
			return nil, err
		}
		if se.Name.Space == nsClient && (se.Name.Local == "message" || se.Name.Local == "presence" || se.Name.Local == "iq") {
			st := new(stanza)
			if err := r.decode(st, &se); err != nil {
				return nil, err
			}
			return st, nil
		}
		if err := r.skip(); err != nil {
			return nil, err
		}
	}
}

// fail blames an error on the size limit when that is what ended the read.
func (r *streamReader) fail(err error) error {
	if err != nil && r.lim.n > maxStanzaBytes {
		return errTooLarge
	}
	return err
}

var errTooLarge = fmt.Errorf("an element exceeds %d bytes", maxStanzaBytes)

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
		return fmt.Errorf("stream error (unreadable): %w", err)
	}
	se2 := &streamError{condition: "undefined-condition", text: e.Text}
	for _, c := range e.Conditions {
		if c.XMLName.Local != "text" {
			se2.condition = c.XMLName.Local
			break
		}
	}
	return se2
}

// streamError is a <stream:error/> the server sent (RFC 6120 4.9.3).
type streamError struct {
	condition, text string
}

func (e *streamError) Error() string {
	if e.text != "" {
		return "stream error " + e.condition + ": " + e.text
	}
	return "stream error " + e.condition
}

// nextStart returns the next start element, skipping everything else.
func nextStart(dec *xml.Decoder) (xml.StartElement, error) {
	for {
		tok, err := dec.Token()
		if err != nil {
			return xml.StartElement{}, err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			return t, nil
		case xml.EndElement:
			if t.Name.Space == nsStream && t.Name.Local == "stream" {
				return xml.StartElement{}, errStreamClosed
			}
		}
	}
}
