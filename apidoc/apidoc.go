// Package apidoc holds the OpenAPI 3.1 document of every route the server
// serves, and the handler that serves it at /openapi.json. The reference
// for people is docs/API.md; a test sends real requests to a running
// server and validates each request and answer against this document, and
// fails when a route is missing from it, so the two cannot drift apart.
package apidoc

import (
	"crypto/sha256"
	_ "embed"
	"encoding/base64"
	"net/http"
	"strings"
)

// JSON is the document, as served.
//
//go:embed openapi.json
var JSON []byte

// etag names the document's bytes, which are fixed for the life of the binary.
var etag = func() string {
	sum := sha256.Sum256(JSON)
	return `"` + base64.RawURLEncoding.EncodeToString(sum[:18]) + `"`
}()

// cacheControl: the document changes only with a release, so caches may
// keep it a while, as they keep /widget.js, and revalidate with the ETag.
const cacheControl = "public, max-age=300"

// Handler serves the document (docs/API.md#operations): any origin may read
// it, so that tools on other sites can load it.
func Handler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Type", "application/json")
		h.Set("Cache-Control", cacheControl)
		h.Set("ETag", etag)
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Access-Control-Allow-Origin", "*")
		if matches(r.Header.Get("If-None-Match")) {
			w.WriteHeader(http.StatusNotModified)
			return
		}
		if r.Method != http.MethodHead {
			_, _ = w.Write(JSON)
		}
	})
}

// matches applies If-None-Match's weak comparison (RFC 9110 13.1.2).
func matches(header string) bool {
	for part := range strings.SplitSeq(header, ",") {
		part = strings.TrimSpace(part)
		if part == "*" || strings.TrimPrefix(part, "W/") == etag {
			return true
		}
	}
	return false
}
