package openfire

import (
	"fmt"
	"net/url"
	"strings"

	"badges/presence"
	"badges/render"
	"badges/web/respond"
)

// Openfire's presence plugin answers in one of three forms.
const (
	openfireImage = "image" // the default
	openfireText  = "text"
	openfireXML   = "xml"
)

// imagePlaceholder is what the plugin's images= URL template holds where
// the image name goes.
const imagePlaceholder = "--IMAGE--"

// openfireQuery is a parsed request of Openfire's presence plugin.
type openfireQuery struct {
	jid string // as given; the handler normalises it
	typ string // openfireImage, openfireText or openfireXML
	sig string // signed visibility
	// images is the images= template, "" when not given.
	images string
	// urls holds the per-image URLs (available=URL, ..., forbidden=URL).
	urls map[string]string
}

// parseOpenfireQuery reads the plugin's parameters: jid (required), type
// (image, text or xml; default image) and, for images, the redirect
// targets images= and one per image name. Every redirect target given is
// checked against hosts, whatever the JID's presence, so that a URL is
// either always refused or never. req_jid is ignored: it proves nothing.
// Errors wrap respond.ErrBadRequest or presence.ErrBadJID (400).
func parseOpenfireQuery(v url.Values, hosts hostSet) (openfireQuery, error) {
	q := openfireQuery{jid: v.Get("jid"), typ: v.Get("type"), sig: v.Get("sig")}
	switch q.typ {
	case "":
		q.typ = openfireImage
	case openfireImage, openfireText, openfireXML:
	default:
		return q, fmt.Errorf("%w: type %q (want image, text or xml)", respond.ErrBadRequest, q.typ)
	}
	if q.jid == "" {
		return q, fmt.Errorf("%w: the jid parameter is required", presence.ErrBadJID)
	}
	if q.typ != openfireImage {
		return q, nil
	}
	if q.images = v.Get("images"); q.images != "" {
		for _, name := range render.OpenfireNames {
			if _, err := hosts.check(strings.ReplaceAll(q.images, imagePlaceholder, name)); err != nil {
				return q, fmt.Errorf("images: %w", err)
			}
		}
	}
	for _, name := range render.OpenfireNames {
		u := v.Get(name)
		if u == "" {
			continue
		}
		if _, err := hosts.check(u); err != nil {
			return q, fmt.Errorf("%s: %w", name, err)
		}
		if q.urls == nil {
			q.urls = make(map[string]string, 1)
		}
		q.urls[name] = u
	}
	return q, nil
}

// redirect returns where the image named name redirects to, if anywhere:
// its own URL first, then the images= template, as the plugin does.
func (q openfireQuery) redirect(name string) (string, bool) {
	if u, ok := q.urls[name]; ok {
		return u, true
	}
	if q.images != "" {
		return strings.ReplaceAll(q.images, imagePlaceholder, name), true
	}
	return "", false
}

// errBadRedirect marks a redirect target that is not allowed (400).
var errBadRedirect = fmt.Errorf("%w: redirect URL", respond.ErrBadRequest)

// hostSet is the -redirect-hosts allowlist.
type hostSet map[string]bool

func newHostSet(hosts []string) hostSet {
	s := make(hostSet, len(hosts))
	for _, h := range hosts {
		s[strings.ToLower(strings.Trim(h, "[]"))] = true
	}
	return s
}

// check accepts an absolute http or https URL without user information
// whose host is in the set (exact match, any port) and returns it in
// canonical form. The server redirects to such URLs and never fetches
// them. Errors wrap errBadRedirect.
func (s hostSet) check(raw string) (string, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return "", respond.WithHiddenCause(fmt.Errorf("%w: not a URL", errBadRedirect), err)
	}
	switch {
	case u.Scheme != "http" && u.Scheme != "https":
		return "", fmt.Errorf("%w %q: want http or https", errBadRedirect, raw)
	case u.User != nil:
		return "", fmt.Errorf("%w %q: user information not allowed", errBadRedirect, raw)
	case u.Opaque != "" || u.Host == "":
		return "", fmt.Errorf("%w %q: no host", errBadRedirect, raw)
	case !s[strings.ToLower(u.Hostname())]:
		return "", fmt.Errorf("%w %q: host not in -redirect-hosts", errBadRedirect, raw)
	}
	return u.String(), nil
}
