package auth

import (
	"errors"
	"strings"
	"testing"
)

func TestBearerToken(t *testing.T) {
	const token = "1700000000:alice@example.com:XEXB3QZTRWECQXKCVBND12HNK5U1UPWBOFUWFPBYRGC="
	tests := []struct {
		header, want string
		ok           bool
	}{
		{"Bearer " + keyA, keyA, true},
		{"bearer " + keyA, keyA, true},
		{"BEARER " + keyA, keyA, true},
		{"Bearer   " + keyA + " ", keyA, true},
		{"\tBearer " + keyA, keyA, true},
		{"Bearer " + token, token, true},
		{"Bearer 1700000000:ålice@example.com:SIG", "1700000000:ålice@example.com:SIG", true},
		{"", "", false},
		{"   ", "", false},
		{"Bearer", "", false},
		{"Bearer ", "", false},
		{"Bearer    ", "", false},
		{"Basic YWxpY2U6c2VjcmV0", "", false},
		{"Bearer" + keyA, "", false},
		{"Bearer\t" + keyA, "", false},
		{keyA, "", false},
		{"Bearer " + keyA + " extra", "", false},
		{"Bearer " + keyA + "\x00", "", false},
		{"Bearer " + keyA + "\x7f", "", false},
		{"Bearer " + strings.Repeat("k", maxBearerLen), strings.Repeat("k", maxBearerLen), true},
		{"Bearer " + strings.Repeat("k", maxBearerLen+1), "", false},
	}
	for _, tt := range tests {
		got, err := BearerToken(tt.header)
		if tt.ok != (err == nil) || got != tt.want {
			t.Errorf("BearerToken(%q) = %q, %v; want %q, ok=%v", tt.header, got, err, tt.want, tt.ok)
		}
		if err != nil && !errors.Is(err, ErrUnauthorized) {
			t.Errorf("BearerToken(%q) err = %v, want ErrUnauthorized", tt.header, err)
		}
	}
}

// FuzzBearerToken checks that a credential, once extracted, has no white
// space or control characters left and round-trips through a header.
func FuzzBearerToken(f *testing.F) {
	f.Add("Bearer " + keyA)
	f.Add("bearer   x ")
	f.Add("Basic abc")
	f.Fuzz(func(t *testing.T, header string) {
		cred, err := BearerToken(header)
		if err != nil {
			if !errors.Is(err, ErrUnauthorized) {
				t.Fatalf("BearerToken(%q) err = %v, not ErrUnauthorized", header, err)
			}
			return
		}
		if cred == "" || strings.ContainsFunc(cred, func(r rune) bool { return r <= ' ' || r == 0x7f }) {
			t.Fatalf("BearerToken(%q) = %q", header, cred)
		}
		if again, err := BearerToken("Bearer " + cred); err != nil || again != cred {
			t.Fatalf("round trip of %q = %q, %v", cred, again, err)
		}
	})
}
