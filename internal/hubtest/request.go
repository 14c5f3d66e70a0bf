package hubtest

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// Do sends h a request with body (none when empty) and headers hdr, and
// returns the recorded response and its body.
func Do(t testing.TB, h http.Handler, method, target, body string, hdr map[string]string) (*http.Response, string) {
	t.Helper()
	var r io.Reader
	if body != "" {
		r = strings.NewReader(body)
	}
	req := httptest.NewRequest(method, target, r)
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	res := rec.Result()
	b, _ := io.ReadAll(res.Body)
	return res, string(b)
}
