package web

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"net/http"
	"net/url"

	"badges/presence"
	"badges/render"
)

// Answers in Openfire's own media types.
const (
	typeOpenfireText = "text/plain;charset=utf-8"
	typeOpenfireXML  = "text/xml;charset=utf-8"
)

// handleOpenfire serves GET and POST /plugins/presence/status, a drop-in
// for Openfire's presence plugin (SPEC 4.4). A JID nobody may see, and one
// whose status is unknown, are both Openfire's "forbidden" (user not
// found): the two must not be told apart.
func (s *Server) handleOpenfire(w http.ResponseWriter, r *http.Request) {
	if r.Method == http.MethodGet {
		publicCORS(w)
	}
	v, err := openfireParams(r)
	if err != nil {
		s.writeErr(w, r, err)
		return
	}
	q, err := parseOpenfireQuery(v, s.redirectHosts)
	if err == nil {
		var t presence.Topic
		if t, err = s.names.topic(presence.KindJID, q.jid); err == nil {
			s.openfireAnswer(w, r, q, s.vis.Entry(t, q.sig).Presence)
			return
		}
	}
	s.openfireError(w, r, q.typ, err)
}

// openfireError answers a bad request in the form it asked for, so that an
// <img> of the plugin's URL shows what is wrong instead of breaking.
func (s *Server) openfireError(w http.ResponseWriter, r *http.Request, typ string, err error) {
	code := statusOf(err)
	badJID := errors.Is(err, presence.ErrBadJID)
	switch typ {
	case openfireImage:
		msg := "bad request"
		if badJID {
			msg = "invalid JID"
		} else if errors.Is(err, errBadRedirect) {
			msg = "redirect not allowed"
		}
		writeImage(w, r, code, s.images.render.Error(msg, render.Options{}, render.PNG))
	case openfireXML:
		cond := "bad-request"
		if badJID {
			cond = "jid-malformed"
		}
		writeCachedBody(w, r, code, typeOpenfireXML, []byte(`<presence type="error"><error code="400" type="modify"><`+
			cond+` xmlns="urn:ietf:params:xml:ns:xmpp-stanzas"/></error></presence>`+"\n"))
	default:
		writeCachedBody(w, r, code, typeOpenfireText, []byte(err.Error()+"\n"))
	}
}

// openfireParams are the request's parameters: the query's, then a POST's
// form values, in the order a servlet's getParameter takes them.
func openfireParams(r *http.Request) (url.Values, error) {
	v := r.URL.Query()
	if r.Method != http.MethodPost {
		return v, nil
	}
	if err := r.ParseForm(); err != nil {
		return nil, fmt.Errorf("openfire: form: %w", err)
	}
	for k, vals := range r.PostForm {
		v[k] = append(v[k], vals...)
	}
	return v, nil
}

// openfireAnswer answers with p in the form q asks for.
func (s *Server) openfireAnswer(w http.ResponseWriter, r *http.Request, q openfireQuery, p presence.Presence) {
	switch q.typ {
	case openfireText:
		writeCachedBody(w, r, http.StatusOK, typeOpenfireText, []byte(render.OpenfireText(p)+"\n"))
	case openfireXML:
		writeCachedBody(w, r, http.StatusOK, typeOpenfireXML, openfireXMLOf(p))
	default:
		name := render.OpenfireName(p.Status)
		if raw, ok := q.redirect(name); ok {
			loc, err := s.redirectHosts.check(raw)
			if err != nil { // parseOpenfireQuery checked it already
				s.openfireError(w, r, q.typ, err)
				return
			}
			h := w.Header()
			h.Set("Location", loc)
			h.Set("Cache-Control", "no-cache")
			h.Set("X-Content-Type-Options", "nosniff")
			w.WriteHeader(http.StatusFound)
			return
		}
		img, _ := render.OpenfireImage(name) // every OpenfireName has an image
		writeImage(w, r, http.StatusOK, img)
	}
}

// writeCachedBody is writeCached with the ETag of body.
func writeCachedBody(w http.ResponseWriter, r *http.Request, status int, ctype string, body []byte) {
	writeCached(w, r, status, ctype, presence.ETag(body), body)
}

// openfireXMLOf is the plugin's XML answer, shaped as Openfire's plugin
// writes its presence packets, with the bare JID only:
//
//	<presence from="a@b"><show>away</show><status>text</status></presence>
//	<presence type="unavailable" from="a@b"><status>Unavailable</status></presence>
//	<presence type="error" from="a@b"><error code="403" type="auth"><forbidden .../></error></presence>
//
// An available presence has no <show/> (XMPP has none for it) and a
// <status/> only when there is a status text; an offline one always has
// a <status/>, the text or Openfire's "Unavailable".
func openfireXMLOf(p presence.Presence) []byte {
	var b bytes.Buffer
	switch {
	case !visibleToOpenfire(p.Status):
		b.WriteString(`<presence type="error" from="`)
		escapeXML(&b, p.JID)
		b.WriteString(`"><error code="403" type="auth"><forbidden xmlns="urn:ietf:params:xml:ns:xmpp-stanzas"/></error></presence>`)
	case p.Status == presence.Offline:
		b.WriteString(`<presence type="unavailable" from="`)
		escapeXML(&b, p.JID)
		b.WriteString(`"><status>`)
		escapeXML(&b, render.OpenfireText(p))
		b.WriteString(`</status></presence>`)
	default:
		b.WriteString(`<presence from="`)
		escapeXML(&b, p.JID)
		b.WriteString(`">`)
		if p.Status != presence.Available {
			b.WriteString(`<show>` + string(p.Status) + `</show>`)
		}
		if p.Message != "" {
			b.WriteString(`<status>`)
			escapeXML(&b, p.Message)
			b.WriteString(`</status>`)
		}
		b.WriteString(`</presence>`)
	}
	b.WriteByte('\n')
	return b.Bytes()
}

// visibleToOpenfire: the statuses Openfire can report. Unknown, which is
// also what every invisible JID shows, is its "forbidden".
func visibleToOpenfire(s presence.Status) bool {
	return render.OpenfireName(s) != "forbidden"
}

// escapeXML writes s escaped for XML text and attribute values.
func escapeXML(b *bytes.Buffer, s string) {
	_ = xml.EscapeText(b, []byte(s)) // a bytes.Buffer never fails
}
