package web

import (
	"fmt"
	"testing"

	"badges/presence"
)

// TestCacheBytesBound fills every cache with distinct requests, each
// cached on its own (distinct labels on a large PNG, distinct JIDs): what
// they hold together stays within Options.CacheBytes.
func TestCacheBytesBound(t *testing.T) {
	const budget = 1 << 20
	f := newFixture(t, Options{CacheBytes: budget})
	f.online(t, "alice@example.com", presence.Away, "out")
	drawn := 0
	for i := range 600 {
		res, body := f.do(t, "GET", fmt.Sprintf("/badge/alice@example.com.png?scale=3&message=text&label=distinct-label-%04d", i), nil)
		if res.StatusCode != 200 {
			t.Fatalf("badge = %d", res.StatusCode)
		}
		drawn += len(body)
		f.do(t, "GET", fmt.Sprintf("/badge/user%d@example.com.svg", i), nil)
	}
	if drawn < 4*budget {
		t.Fatalf("the test drew only %d bytes, too few to fill the caches", drawn)
	}
	held := f.srv.images.bytes() + f.srv.names.bytes()
	if held > budget {
		t.Errorf("caches hold %d bytes, budget %d", held, budget)
	}
	if held < budget/4 {
		t.Errorf("caches hold only %d bytes of %d: are they caching at all?", held, budget)
	}
	if f.srv.names.bytes() == 0 {
		t.Error("the name cache holds nothing")
	}
}
