package web

import (
	"encoding/json"
	"net/http"
	"strings"
)

// Content types served.
const (
	typeJSON = "application/json"
	typeSVG  = "image/svg+xml;charset=utf-8"
	typePNG  = "image/png"
	typeText = "text/plain;charset=utf-8"
	typeXML  = "application/xml;charset=utf-8"
	typeHTML = "text/html;charset=utf-8"
)

// Header values every presence-bearing answer shares. net/http only reads
// them, and a slice whose length is its capacity cannot be appended to in
// place, so sharing them is safe. Assigning them under canonical keys
// skips Header.Set's key canonicalisation and an allocation per header:
// on a cached badge, header setting was the largest cost after routing.
var (
	hdrNoCache   = []string{"no-cache"}
	hdrNosniff   = []string{"nosniff"}
	hdrAnyOrigin = []string{"*"}
)

// writeCached answers with presence-bearing bytes: no-cache so that every
// proxy revalidates, a strong ETag, and 304 when the client has these bytes.
// Only a GET or HEAD can be answered 304 (RFC 9110 13.1.2): the answer to a
// write always carries its body.
func writeCached(w http.ResponseWriter, r *http.Request, status int, ctype, etag string, body []byte) {
	h := w.Header()
	vals := []string{ctype, etag} // one allocation for both
	h["Content-Type"] = vals[0:1:1]
	h["Cache-Control"] = hdrNoCache
	h["Etag"] = vals[1:2:2]
	h["X-Content-Type-Options"] = hdrNosniff
	readOnly := r.Method == http.MethodGet || r.Method == http.MethodHead
	if status == http.StatusOK && readOnly && etagMatches(r.Header.Get("If-None-Match"), etag) {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	w.WriteHeader(status)
	if r.Method != http.MethodHead {
		_, _ = w.Write(body)
	}
}

// etagMatches applies If-None-Match's weak comparison (RFC 9110 13.1.2).
func etagMatches(header, etag string) bool {
	if header == "" {
		return false
	}
	for part := range strings.SplitSeq(header, ",") {
		part = strings.TrimSpace(part)
		if part == "*" || strings.TrimPrefix(part, "W/") == etag {
			return true
		}
	}
	return false
}

// publicCORS marks a public GET endpoint as readable from any origin.
func publicCORS(w http.ResponseWriter) {
	w.Header()["Access-Control-Allow-Origin"] = hdrAnyOrigin
}

// writeJSON answers with v encoded as JSON, uncached.
func writeJSON(w http.ResponseWriter, status int, v any) {
	body, err := json.Marshal(v)
	if err != nil {
		status, body = http.StatusInternalServerError, []byte(`{"error":"internal error"}`)
	}
	h := w.Header()
	h.Set("Content-Type", typeJSON)
	h.Set("Cache-Control", "no-store")
	h.Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	_, _ = w.Write(append(body, '\n'))
}

// writeError answers a JSON API error: {"error":"..."} with status.
func writeError(w http.ResponseWriter, status int, msg string) {
	writeJSON(w, status, map[string]string{"error": msg})
}
