package presence

import (
	"errors"
	"strings"
	"testing"
	"unicode"
)

func TestParseJID(t *testing.T) {
	tests := []struct {
		in, want string
	}{
		{"alice@example.com", "alice@example.com"},
		{"Alice@Example.COM", "alice@example.com"},
		{"alice@example.com/phone", "alice@example.com"},
		{"Alice@Example.com/Phone/Home", "alice@example.com"},
		{"alice@example.com.", "alice@example.com"},
		{"example.com", "example.com"},
		{"example.com/res", "example.com"},
		{"a@ＥＸＡＭＰＬＥ.com", "a@example.com"}, // width mapping
		{"a@xn--bcher-kva.example", "a@bücher.example"},
		{"a@Bücher.example", "a@bücher.example"},
		{"ÉLODIE@example.com", "élodie@example.com"},
		{"a@1.2.3.4", "a@1.2.3.4"},
		{"a@[::1]", "a@[::1]"},
		{"a@[::FFFF]/r", "a@[::ffff]"},
		{"[2001:DB8:0:0:0:0:0:1]", "[2001:db8::1]"},
	}
	for _, tt := range tests {
		got, err := ParseJID(tt.in)
		if err != nil || got != tt.want {
			t.Errorf("ParseJID(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
		}
	}
}

func TestParseJIDInvalid(t *testing.T) {
	long := strings.Repeat("a", 1024) + "@example.com"
	tests := []string{
		"",
		"@example.com",
		"a@",
		"a@b@c",
		"a b@example.com",
		"a@exa mple.com",
		"a@example.com/",
		"a\x00@example.com",
		"a<b@example.com",
		"a@exa_mple.com",
		"a@-example.com",
		"\xff@example.com",
		long,                                // localpart over 1023 bytes
		strings.Repeat("a", MaxJIDLength+1), // whole JID too long
		"a@.",
		"a@..",
		"a@.example.com",
		"a@example..com",
		"a@example.com..",
		"a@[fe80::1%eth0]",
		"a@[1.2.3.4]",
	}
	for _, in := range tests {
		if got, err := ParseJID(in); !errors.Is(err, ErrBadJID) || got != "" {
			t.Errorf("ParseJID(%.40q) = %q, %v; want ErrBadJID", in, got, err)
		}
	}
}

func TestParseRoom(t *testing.T) {
	got, err := ParseRoom("Chat@Rooms.Example.com/nick")
	if err != nil || got != "chat@rooms.example.com" {
		t.Errorf("ParseRoom = %q, %v; want chat@rooms.example.com", got, err)
	}
	for _, in := range []string{"rooms.example.com", "rooms.example.com/nick", "", "@rooms.example.com"} {
		if got, err := ParseRoom(in); !errors.Is(err, ErrBadJID) {
			t.Errorf("ParseRoom(%q) = %q, %v; want ErrBadJID", in, got, err)
		}
	}
}

func TestLocalDomain(t *testing.T) {
	tests := []struct{ jid, local, domain string }{
		{"alice@example.com", "alice", "example.com"},
		{"example.com", "", "example.com"},
	}
	for _, tt := range tests {
		if got := Local(tt.jid); got != tt.local {
			t.Errorf("Local(%q) = %q, want %q", tt.jid, got, tt.local)
		}
		if got := Domain(tt.jid); got != tt.domain {
			t.Errorf("Domain(%q) = %q, want %q", tt.jid, got, tt.domain)
		}
	}
}

// FuzzParseJID checks the properties the web layer relies on: no panic, a
// canonical form that parses to itself, and nothing a URL or a badge would
// have to escape as white space.
func FuzzParseJID(f *testing.F) {
	for _, s := range []string{
		"alice@example.com", "Alice@Example.COM/Res", "example.com", "a@b@c", "@x", "a@",
		"a@b..", "a@[::1]", "a@[::FFFF]", "[0:0::1]", "a@1.2.3.4", "a@xn--bcher-kva.example", "ÉLODIE@Bücher.example/ü",
		"a@b\u3002c", "a@ｅｘａｍｐｌｅ.com", "a/b@c", "\u0130@b",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, err := ParseJID(s)
		if err != nil {
			if !errors.Is(err, ErrBadJID) {
				t.Fatalf("ParseJID(%q): error %v does not wrap ErrBadJID", s, err)
			}
			return
		}
		if got == "" || strings.Contains(got, "/") {
			t.Fatalf("ParseJID(%q) = %q: not a bare JID", s, got)
		}
		if strings.IndexFunc(got, unicode.IsSpace) >= 0 {
			t.Fatalf("ParseJID(%q) = %q: contains white space", s, got)
		}
		again, err := ParseJID(got)
		if err != nil || again != got {
			t.Fatalf("ParseJID(%q) = %q, but ParseJID(%q) = %q, %v", s, got, got, again, err)
		}
	})
}
