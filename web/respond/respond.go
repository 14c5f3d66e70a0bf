// Package respond holds the rules every answer of the HTTP face follows
// (docs/API.md#errors-and-limits): presence-bearing answers are no-cache
// with a strong ETag and 304, errors are {"error":...} with the status the
// error's sentinel maps to, SVG is locked down. The web server and the
// compatibility APIs mounted on it (package openfire, package kopano)
// answer through it.
package respond

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"

	"badges/auth"
	"badges/presence"
	"badges/render"
)

// Content types served.
const (
	TypeJSON = "application/json"
	TypePNG  = "image/png"
	TypeHTML = "text/html;charset=utf-8"
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

// Cached answers with presence-bearing bytes: no-cache so that every
// proxy revalidates, a strong ETag, and 304 when the client has these bytes.
// Only a GET or HEAD can be answered 304 (RFC 9110 13.1.2): the answer to a
// write always carries its body.
func Cached(w http.ResponseWriter, r *http.Request, status int, ctype, etag string, body []byte) {
	h := w.Header()
	vals := []string{ctype, etag} // one allocation for both
	h["Content-Type"] = vals[0:1:1]
	h["Cache-Control"] = hdrNoCache
	h["Etag"] = vals[1:2:2]
	h["X-Content-Type-Options"] = hdrNosniff
	readOnly := r.Method == http.MethodGet || r.Method == http.MethodHead
	if status == http.StatusOK && readOnly && ETagMatches(r.Header.Get("If-None-Match"), etag) {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	w.WriteHeader(status)
	if r.Method != http.MethodHead {
		_, _ = w.Write(body)
	}
}

// ETagMatches applies If-None-Match's weak comparison (RFC 9110 13.1.2).
func ETagMatches(header, etag string) bool {
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

// PublicCORS marks a public GET endpoint as readable from any origin.
func PublicCORS(w http.ResponseWriter) {
	w.Header()["Access-Control-Allow-Origin"] = hdrAnyOrigin
}

// JSON answers with v encoded as JSON, uncached.
func JSON(w http.ResponseWriter, status int, v any) {
	body, err := json.Marshal(v)
	if err != nil {
		status, body = http.StatusInternalServerError, []byte(`{"error":"internal error"}`)
	}
	h := w.Header()
	h.Set("Content-Type", TypeJSON)
	h.Set("Cache-Control", "no-store")
	h.Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	_, _ = w.Write(append(body, '\n'))
}

// Error answers a JSON API error: {"error":"..."} with status.
func Error(w http.ResponseWriter, status int, msg string) {
	JSON(w, status, map[string]string{"error": msg})
}

// CachedBody is Cached with the ETag of body.
func CachedBody(w http.ResponseWriter, r *http.Request, status int, ctype string, body []byte) {
	Cached(w, r, status, ctype, presence.ETag(body), body)
}

// CSPImage locks an SVG opened on its own (not through <img>, where no
// script runs anyway) down to its inline presentation: no script, no
// fetch, no frame. Badges carry no style sheets or images, but a
// presentation style attribute must not be what breaks one.
const CSPImage = "default-src 'none'; style-src 'unsafe-inline'"

// hdrCSPImage is CSPImage as a shared header value (see hdrNoCache).
var hdrCSPImage = []string{CSPImage}

// Image answers with a rendered image under the rules of every
// presence-bearing answer (Cached), plus the SVG lock-down.
func Image(w http.ResponseWriter, r *http.Request, status int, img render.Image) {
	if img.ContentType != TypePNG {
		w.Header()["Content-Security-Policy"] = hdrCSPImage
	}
	Cached(w, r, status, img.ContentType, img.ETag, img.Body)
}

// RateLimited answers 429 with msg and a Retry-After in whole seconds, at
// least 1, rounded up so that a client that waits that long gets through.
func RateLimited(w http.ResponseWriter, retry time.Duration, msg string) {
	secs := int((retry + time.Second - 1) / time.Second)
	w.Header().Set("Retry-After", strconv.Itoa(max(secs, 1)))
	Error(w, http.StatusTooManyRequests, msg)
}

// StatusOf maps the project's sentinel errors to HTTP status codes, in one
// place.
func StatusOf(err error) int {
	var tooBig *http.MaxBytesError
	switch {
	case err == nil:
		return http.StatusOK
	// Credentials first: a token whose JID is invalid is a bad token (401),
	// not a bad request, although its error wraps presence.ErrBadJID too.
	case errors.Is(err, auth.ErrUnauthorized), errors.Is(err, auth.ErrMalformed),
		errors.Is(err, auth.ErrBadSignature), errors.Is(err, auth.ErrExpired), errors.Is(err, auth.ErrFuture):
		return http.StatusUnauthorized
	case errors.Is(err, auth.ErrForbidden):
		return http.StatusForbidden
	case errors.Is(err, presence.ErrBadJID), errors.Is(err, presence.ErrBadStatus), errors.Is(err, ErrBadRequest):
		return http.StatusBadRequest
	case errors.Is(err, ErrBodyTooLarge), errors.As(err, &tooBig):
		return http.StatusRequestEntityTooLarge
	case errors.Is(err, presence.ErrUnavailable), errors.Is(err, presence.ErrFenced):
		return http.StatusServiceUnavailable
	}
	return http.StatusInternalServerError
}

// ReadBody reads the whole request body, which the server has already
// bounded: too large is a 413, a failed read a 400. A body of known
// length (within the bound, which the server checked) is read into a buffer
// of that size.
func ReadBody(r *http.Request) ([]byte, error) {
	var body []byte
	var err error
	if n := r.ContentLength; n > 0 && n <= MaxBodyBytes {
		body = make([]byte, n)
		_, err = io.ReadFull(r.Body, body)
	} else {
		body, err = io.ReadAll(r.Body)
	}
	if _, tooBig := errors.AsType[*http.MaxBytesError](err); tooBig {
		return nil, WithHiddenCause(ErrBodyTooLarge, err) // 413
	}
	if err != nil {
		return nil, WithHiddenCause(fmt.Errorf("%w: the request body did not arrive whole", ErrBadRequest), err)
	}
	return body, nil
}

// MaxBodyBytes bounds request bodies (docs/API.md#errors-and-limits):
// the server refuses larger ones with ErrBodyTooLarge.
const MaxBodyBytes = 64 << 10

// retryAfterUnavailable is the Retry-After of a write refused while the
// shared store is away: about how long a Redis restart takes.
const retryAfterUnavailable = "2"

// ErrBadRequest marks malformed input that has no sentinel of its own.
var ErrBadRequest = errors.New("bad request")

// ErrBodyTooLarge is the answer to a body over the server's limit
// (docs/API.md#errors-and-limits): StatusOf answers it 413. Wrap it with
// the library's error as a hidden cause (WithHiddenCause), so that the
// library's words reach only the log.
var ErrBodyTooLarge = fmt.Errorf("request body larger than %d KiB", MaxBodyBytes>>10)

// Err answers err as a JSON API error with its mapped status. Server
// errors are logged to log and hidden from the client.
func Err(w http.ResponseWriter, r *http.Request, log *slog.Logger, err error) {
	code := StatusOf(err)
	msg := err.Error()
	if code == http.StatusUnauthorized {
		// RFC 9110 requires a challenge with every 401.
		w.Header().Set("WWW-Authenticate", `Bearer realm="badges"`)
	}
	if code == http.StatusServiceUnavailable {
		// The shared store is away; a write may be tried again soon
		// (docs/API.md#storage-and-scale).
		w.Header().Set("Retry-After", retryAfterUnavailable)
	}
	if code >= 500 {
		log.Error("request failed", "method", r.Method, "path", r.URL.Path, "client", r.RemoteAddr, "err", err)
		msg = http.StatusText(code)
	} else if hc, ok := errors.AsType[hiddenCause](err); ok {
		log.Info("bad request", "method", r.Method, "path", r.URL.Path, "client", r.RemoteAddr, "cause", hc.cause)
	}
	Error(w, code, msg)
}
