package web

import (
	"io"
	"maps"
	"net/http"
	"net/http/httptest"
	"path"
	"strings"
	"testing"

	"badges/forwarded"
	"badges/presence"
)

// TestFastRouteAnswersAsMux: every request answers the same through the
// badge fast path as through http.ServeMux alone: status, headers, body.
func TestFastRouteAnswersAsMux(t *testing.T) {
	f := newFixture(t, Options{})
	f.online(t, "alice@example.com", presence.DND, "In a meeting")
	if _, isMux := f.srv.fastRoutes(http.NewServeMux()).(*http.ServeMux); !isMux {
		t.Error("a fast path over a mux without the badge route")
	}
	mux := http.NewServeMux()
	f.srv.routes(mux)
	if _, isMux := f.srv.fastRoutes(mux).(*http.ServeMux); isMux {
		t.Fatal("no fast path over the routes")
	}
	// New's chain, without the fast path.
	slow := f.srv.chain(forwarded.Proxies{}, mux)
	for _, method := range []string{"GET", "HEAD", "POST", "PUT"} {
		for _, target := range []string{
			"/badge/alice@example.com.svg",
			"/badge/alice@example.com.svg?style=social&label=Alice",
			"/badge/alice@example.com.png?scale=2",
			"/badge/alice%40example.com.svg",
			"/badge/alice@example.com%2Fphone.svg",
			"/badge/Alice@Example.com/phone.svg",
			"/badge/./alice@example.com.svg",
			"/badge/x/../alice@example.com.svg",
			"/badge//alice@example.com.svg",
			"/badge/alice@example.com.svg/",
			"/badge/alice@example.com.svg/.",
			"/badge/alice@example.com.txt",
			"/badge/not%20a%20jid.svg",
			"/badge/%E2%80%AEx@example.com.svg",
			"/badge/",
			"/badge",
			"/badges/alice@example.com.svg",
		} {
			fast := record(f.srv, method, target)
			want := record(slow, method, target)
			if fast.Code != want.Code || fast.Body.String() != want.Body.String() ||
				!maps.EqualFunc(fast.Header(), want.Header(), func(a, b []string) bool { return strings.Join(a, "\n") == strings.Join(b, "\n") }) {
				t.Errorf("%s %s: fast path %d %v %q\nmux %d %v %q", method, target,
					fast.Code, fast.Header(), fast.Body.String(), want.Code, want.Header(), want.Body.String())
			}
		}
	}
	_, body := f.do(t, "GET", "/metrics", nil)
	if want := `badges_http_requests_total{code="200",route="GET /badge/{file...}"}`; !strings.Contains(body, want) {
		t.Errorf("metrics lack %s", want)
	}
}

func record(h http.Handler, method, target string) *httptest.ResponseRecorder {
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(method, target, nil))
	_, _ = io.Copy(io.Discard, rec.Result().Body)
	return rec
}

// FuzzCleanPath: cleanPath agrees with the cleaning http.ServeMux does
// before it routes (path.Clean, keeping a trailing slash).
func FuzzCleanPath(f *testing.F) {
	for _, s := range []string{"/", "/badge/a.svg", "/badge/", "//", "/a/./b", "/a/../b", "/a/.", "/a/..", "/.a/..b", "", "a", "/a//"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, p string) {
		want := false
		if p != "" && p[0] == '/' {
			np := path.Clean(p)
			if p[len(p)-1] == '/' && np != "/" {
				np += "/"
			}
			want = np == p
		}
		if got := cleanPath(p); got != want {
			t.Errorf("cleanPath(%q) = %v, want %v", p, got, want)
		}
	})
}
