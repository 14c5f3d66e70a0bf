package web

import (
	"strings"
	"testing"

	"badges/presence"
)

// TestConfusableDomainShownInASCII: a JID on a domain made of Cyrillic
// letters that read as "apple" is shown in its ASCII form on the badge, the
// embed and the dashboard, however the request spelt it; a plain
// single-script IDN stays Unicode (docs/API.md#deployment).
func TestConfusableDomainShownInASCII(t *testing.T) {
	f := newFixture(t, Options{})
	f.online(t, "ceo@аррӏе.com", presence.Available, "")
	f.online(t, "anna@bücher.example", presence.Available, "")
	for _, target := range []string{
		"/badge/ceo@xn--80ak6aa92e.com.svg",
		"/badge/ceo@аррӏе.com.svg",
		"/embed/ceo@xn--80ak6aa92e.com",
		"/dashboard?jid=ceo@xn--80ak6aa92e.com",
		"/shields/ceo@xn--80ak6aa92e.com.json",
	} {
		res, body := f.do(t, "GET", target, nil)
		if res.StatusCode != 200 {
			t.Fatalf("%s = %d %s", target, res.StatusCode, body)
		}
		// The card's data-name is the topic the page subscribes to, which
		// nobody reads; everything shown is in ASCII.
		shown := strings.ReplaceAll(body, `data-name="ceo@аррӏе.com"`, "")
		if strings.Contains(shown, "аррӏе") || !strings.Contains(shown, "ceo@xn--80ak6aa92e.com") {
			t.Errorf("%s shows the confusable form:\n%s", target, body)
		}
	}
	res, body := f.do(t, "GET", "/badge/anna@xn--bcher-kva.example.svg", nil)
	if res.StatusCode != 200 || !strings.Contains(body, "anna@bücher.example") {
		t.Errorf("single-script IDN = %d, not in Unicode:\n%s", res.StatusCode, body)
	}
}
