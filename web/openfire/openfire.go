// Package openfire is a drop-in for Openfire's presence plugin, mounted at
// GET and POST /plugins/presence/status (docs/API.md#compatibility). It
// reads presence through the visibility rule and words it as render does.
package openfire

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"

	"badges/presence"
	"badges/render"
	"badges/visibility"
	"badges/web/respond"
)

// Options configure a Handler. Visibility is required.
type Options struct {
	Visibility *visibility.Rule
	// Topic parses a JID into its topic (the server caches names); nil:
	// presence.ParseJID.
	Topic func(kind presence.Kind, raw string) (presence.Topic, error)
	// ErrorImage renders the PNG of an error badge; nil: render.ErrorBadge.
	ErrorImage func(msg string) render.Image
	// RedirectHosts are the hosts (lower-case names or IP addresses, no
	// port) that the images redirect may point to; empty: none.
	RedirectHosts []string
	// Logger gets server errors; nil: discarded.
	Logger *slog.Logger
}

// Handler answers the plugin's requests.
type Handler struct {
	vis        *visibility.Rule
	topic      func(kind presence.Kind, raw string) (presence.Topic, error)
	errorImage func(msg string) render.Image
	hosts      hostSet
	log        *slog.Logger
}

// New returns a Handler.
func New(opt Options) *Handler {
	h := &Handler{vis: opt.Visibility, topic: opt.Topic, errorImage: opt.ErrorImage,
		hosts: newHostSet(opt.RedirectHosts), log: opt.Logger}
	if h.topic == nil {
		h.topic = func(kind presence.Kind, raw string) (presence.Topic, error) {
			name, err := presence.ParseJID(raw)
			return presence.Topic{Kind: kind, Name: name}, err
		}
	}
	if h.errorImage == nil {
		h.errorImage = func(msg string) render.Image { return render.ErrorBadge(msg, render.Options{}, render.PNG) }
	}
	if h.log == nil {
		h.log = slog.New(slog.DiscardHandler)
	}
	return h
}

// Answers in Openfire's own media types.
const (
	typeOpenfireText = "text/plain;charset=utf-8"
	typeOpenfireXML  = "text/xml;charset=utf-8"
)

// ServeHTTP answers GET and POST /plugins/presence/status. A JID nobody
// may see, and one whose status is unknown, are both Openfire's
// "forbidden" (user not found): the two must not be told apart.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method == http.MethodGet {
		respond.PublicCORS(w)
	}
	v, err := openfireParams(r)
	if err != nil {
		respond.Err(w, r, h.log, err)
		return
	}
	q, err := parseOpenfireQuery(v, h.hosts)
	if err == nil {
		var t presence.Topic
		if t, err = h.topic(presence.KindJID, q.jid); err == nil {
			h.answer(w, r, q, h.vis.Entry(t, q.sig).Presence)
			return
		}
	}
	h.error(w, r, q.typ, err)
}

// error answers a bad request in the form it asked for, so that an
// <img> of the plugin's URL shows what is wrong instead of breaking.
func (h *Handler) error(w http.ResponseWriter, r *http.Request, typ string, err error) {
	code := respond.StatusOf(err)
	badJID := errors.Is(err, presence.ErrBadJID)
	switch typ {
	case openfireImage:
		msg := "bad request"
		if badJID {
			msg = "invalid JID"
		} else if errors.Is(err, errBadRedirect) {
			msg = "redirect not allowed"
		}
		respond.Image(w, r, code, h.errorImage(msg))
	case openfireXML:
		cond := "bad-request"
		if badJID {
			cond = "jid-malformed"
		}
		respond.CachedBody(w, r, code, typeOpenfireXML, []byte(`<presence type="error"><error code="400" type="modify"><`+
			cond+` xmlns="urn:ietf:params:xml:ns:xmpp-stanzas"/></error></presence>`+"\n"))
	default:
		respond.CachedBody(w, r, code, typeOpenfireText, []byte(err.Error()+"\n"))
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
		if _, tooBig := errors.AsType[*http.MaxBytesError](err); tooBig {
			return nil, respond.WithHiddenCause(respond.ErrBodyTooLarge, err) // 413
		}
		return nil, respond.WithHiddenCause(fmt.Errorf("%w: the form did not arrive whole", respond.ErrBadRequest), err)
	}
	for k, vals := range r.PostForm {
		v[k] = append(v[k], vals...)
	}
	return v, nil
}

// answer answers with p in the form q asks for.
func (h *Handler) answer(w http.ResponseWriter, r *http.Request, q openfireQuery, p presence.Presence) {
	switch q.typ {
	case openfireText:
		respond.CachedBody(w, r, http.StatusOK, typeOpenfireText, []byte(render.OpenfireText(p)+"\n"))
	case openfireXML:
		respond.CachedBody(w, r, http.StatusOK, typeOpenfireXML, openfireXMLOf(p))
	default:
		name := render.OpenfireName(p.Status)
		if raw, ok := q.redirect(name); ok {
			loc, err := h.hosts.check(raw)
			if err != nil { // parseOpenfireQuery checked it already
				h.error(w, r, q.typ, err)
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
		respond.Image(w, r, http.StatusOK, img)
	}
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
