package main

import (
	"strings"
	"testing"
)

// FuzzParseBasePath: an accepted base path is canonical (parsing it again
// gives itself), starts with one slash, and has nothing a URL would read as
// anything but path segments.
func FuzzParseBasePath(f *testing.F) {
	for _, s := range []string{"/", "/p", "/p/", "/a/b", "//", "/..", "/a?b", "/%2e", "/a#b", "p"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		p, err := parseBasePath(s)
		if err != nil {
			return
		}
		if p == "" {
			if strings.Trim(s, "/") != "" || len(s) > 1 {
				t.Fatalf("%q read as the root", s)
			}
			return
		}
		if again, err := parseBasePath(p); err != nil || again != p {
			t.Fatalf("%q -> %q -> %q, %v", s, p, again, err)
		}
		if !strings.HasPrefix(p, "/") || strings.HasSuffix(p, "/") || strings.Contains(p, "//") ||
			strings.ContainsAny(p, "?#%\\ ") {
			t.Fatalf("%q accepted as %q", s, p)
		}
	})
}
