package idn

import "testing"

func TestDomain(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"example.com", "example.com"},
		{"[::1]", "[::1]"},
		{"127.0.0.1", "127.0.0.1"},
		// Whole-script Cyrillic look-alike of apple.com, in either form.
		{"аррӏе.com", "xn--80ak6aa92e.com"},
		{"xn--80ak6aa92e.com", "xn--80ak6aa92e.com"},
		// Mixed Latin and Cyrillic in one label ("pаypal" with a Cyrillic а).
		{"pаypal.com", "xn--pypal-4ve.com"},
		// Plain single-script names stay Unicode.
		{"bücher.example", "bücher.example"},
		{"xn--bcher-kva.example", "bücher.example"},
		{"пример.рф", "пример.рф"},
		{"例え.jp", "例え.jp"},
		{"ドメイン名例.jp", "ドメイン名例.jp"},
		{"παράδειγμα.gr", "παράδειγμα.gr"},
		// Japanese with Latin is one of the allowed mixes.
		{"abcカタカナ.jp", "abcカタカナ.jp"},
		// Greek with Latin is not.
		{"abcπ.example", "xn--abc-gzc.example"},
		// Mixed digit systems: ASCII digits with Devanagari ones.
		{"क१2.example", "xn--2-tud0w.example"},
		// What IDNA refuses in Unicode (a right-to-left label with a
		// Latin digit at its start) shows in ASCII.
		{"1ب.example", "xn--1-1mc.example"},
		// A look-alike of "/" is no part of a name one should trust.
		{"a⁄b.example", "xn--ab-c6t.example"},
	} {
		if got := Domain(tc.in); got != tc.want {
			t.Errorf("Domain(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestJID(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"ceo@аррӏе.com", "ceo@xn--80ak6aa92e.com"},
		{"алиса@пример.рф", "алиса@пример.рф"},
		{"alice@example.com", "alice@example.com"},
		{"аррӏе.com", "xn--80ak6aa92e.com"},
		{"room@conference.bücher.example", "room@conference.bücher.example"},
	} {
		if got := JID(tc.in); got != tc.want {
			t.Errorf("JID(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func FuzzJID(f *testing.F) {
	for _, s := range []string{"ceo@аррӏе.com", "a@b", "xn--80ak6aa92e.com", "@", "a@xn--", "\xff"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got := JID(s)
		// Displaying is idempotent: the shown form shows as itself.
		if again := JID(got); again != got {
			t.Fatalf("JID(%q) = %q, then %q", s, got, again)
		}
	})
}
