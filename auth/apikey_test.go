package auth

import (
	"errors"
	"strings"
	"testing"
)

const (
	keyA = "k3yA-0123456789abcdef"
	keyB = "k3yB-0123456789abcdef"
	keyC = "k3yC-0123456789abcdef"
)

func TestParseKey(t *testing.T) {
	tests := []struct {
		spec      string
		wantScope string // canonical options; ignored when wantErr
		wantErr   string // part of the error message; "" for success
	}{
		{spec: keyA, wantScope: ""},
		{spec: "  " + keyA + "\t", wantScope: ""},
		{spec: "0123456789abcdef", wantScope: ""},
		{spec: "AbC+/._~-0123456789==", wantScope: ""},
		{spec: keyA + ":domain=a.example", wantScope: ":domain=a.example"},
		{spec: keyA + ":domain=A.Example,b.example", wantScope: ":domain=a.example,b.example"},
		{spec: keyA + ":domain=a.example,A.EXAMPLE", wantScope: ":domain=a.example"},
		{spec: keyA + ":regex=^/api/v1/presence/", wantScope: ":regex=^/api/v1/presence/"},
		{spec: keyA + ":domain=a.example:regex=^/api/v1/presence/", wantScope: ":domain=a.example:regex=^/api/v1/presence/"},
		{spec: keyA + ":regex=^/api/v1/presence/:domain=a.example", wantScope: ":domain=a.example:regex=^/api/v1/presence/"},
		{spec: keyA + ":regex=^/(?:api|x):v1$", wantScope: ":regex=^/(?:api|x):v1$"},
		{spec: keyA + ":regex=^/a:foo=1", wantScope: ":regex=^/a:foo=1"},

		{spec: "", wantErr: "empty"},
		{spec: " \t ", wantErr: "empty"},
		{spec: ":domain=a.example", wantErr: "empty key"},
		{spec: "short", wantErr: "at least 16"},
		{spec: strings.Repeat("k", 513), wantErr: "longer than 512"},
		{spec: strings.Repeat("k", 5000), wantErr: "longer than 4096"},
		{spec: "k3yA-0123456789abcdé", wantErr: "may hold only"},
		{spec: "k3yA=0123456789abcdef", wantErr: "may hold only"},
		{spec: "================", wantErr: "may hold only"},
		{spec: keyA + " :domain=a.example", wantErr: "white space"},
		{spec: keyA + ":domain= a.example", wantErr: "white space"},
		{spec: keyA + ":domain=a.example, b.example", wantErr: "white space"},
		{spec: "k3yA 0123456789abcdef", wantErr: "white space"},
		{spec: keyA + "\x00", wantErr: "control"},
		{spec: keyA + ":", wantErr: "option 1 is not"},
		{spec: keyA + ":secretish", wantErr: "option 1 is not"},
		{spec: keyA + ":foo=bar", wantErr: `unknown option "foo"`},
		{spec: keyA + ":Domain=a.example", wantErr: "option 1 is not"},
		{spec: keyA + ":domain=a.example:foo=bar", wantErr: "unexpected ':' in domain list"},
		{spec: keyA + ":domain=a.example:domain=b.example", wantErr: "option domain given twice"},
		{spec: keyA + ":regex=^/a:regex=^/b", wantErr: "option regex given twice"},
		{spec: keyA + ":domain=", wantErr: "empty domain list"},
		{spec: keyA + ":domain=a.example,", wantErr: "is empty"},
		{spec: keyA + ":domain=,a.example", wantErr: "is empty"},
		{spec: keyA + ":domain=a.example,,b.example", wantErr: "entry 2 is empty"},
		{spec: keyA + ":domain=alice@a.example", wantErr: "entry 1 is a JID"},
		{spec: keyA + ":domain=a.example/res", wantErr: "entry 1 is a JID"},
		{spec: keyA + ":domain=a_b.example", wantErr: "entry 1 is not a valid domain"},
		{spec: keyA + ":domain=-", wantErr: "entry 1 is not a valid domain"},
		{spec: keyA + ":regex=", wantErr: "empty regex"},
		{spec: keyA + ":regex=^/api/(", wantErr: "regex: error parsing regexp"},
		{spec: keyA + ":regex=(?<=x)", wantErr: "regex:"},
	}
	for _, tt := range tests {
		k, err := ParseKey(tt.spec)
		if tt.wantErr != "" {
			if err == nil || !errors.Is(err, ErrBadKey) || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("ParseKey(%q) err = %v, want ErrBadKey containing %q", tt.spec, err, tt.wantErr)
			}
			continue
		}
		if err != nil {
			t.Errorf("ParseKey(%q) err = %v", tt.spec, err)
			continue
		}
		if got := k.Scope(); got != tt.wantScope {
			t.Errorf("ParseKey(%q).Scope() = %q, want %q", tt.spec, got, tt.wantScope)
		}
	}
}

func TestKeyNeverPrinted(t *testing.T) {
	k, err := ParseKey(keyA + ":domain=a.example")
	if err != nil {
		t.Fatal(err)
	}
	if got, want := k.String(), "[redacted]:domain=a.example"; got != want {
		t.Errorf("String() = %q, want %q", got, want)
	}
	const keyU = "k3yU_0123456789abcdef" // not a valid domain label
	for _, spec := range []string{
		keyA + ":" + keyB,
		keyA + ":" + keyB + "=x",
		keyA + ":domain=a.example:" + keyB,
		keyA + ":domain=a.example," + keyU,
	} {
		_, err := ParseKey(spec)
		if err == nil || strings.Contains(err.Error(), keyA) || strings.Contains(err.Error(), keyB) || strings.Contains(err.Error(), keyU) {
			t.Errorf("ParseKey(%q) err = %v: want an error that does not echo a key", spec, err)
		}
	}
}

func TestParseKeys(t *testing.T) {
	ks, err := ParseKeys([]string{keyA, keyB + ":domain=b.example"})
	if err != nil || len(ks.keys) != 2 {
		t.Fatalf("ParseKeys = %v, %v", ks, err)
	}
	if ks, err := ParseKeys(nil); err != nil || ks == nil {
		t.Errorf("ParseKeys(nil) = %v, %v; want an empty set", ks, err)
	}

	tests := []struct {
		specs []string
		want  string
	}{
		{[]string{keyA, "short"}, "api key 2: invalid API key: key has 5 characters, at least 16 required"},
		{[]string{keyA, keyB, keyC + ":bogus=1"}, `api key 3: invalid API key: unknown option "bogus" (known: domain, regex)`},
		{[]string{keyA, keyB + ":domain=b.example", keyA + ":regex=^/"}, "invalid API key: api key 3 repeats api key 1"},
		{[]string{""}, "api key 1: invalid API key: empty"},
	}
	for _, tt := range tests {
		_, err := ParseKeys(tt.specs)
		if err == nil || !errors.Is(err, ErrBadKey) || err.Error() != tt.want {
			t.Errorf("ParseKeys(%q) err = %v, want %q", tt.specs, err, tt.want)
		}
		for _, k := range []string{keyA, keyB, keyC} {
			if err != nil && strings.Contains(err.Error(), k) {
				t.Errorf("ParseKeys error %q echoes a key", err)
			}
		}
	}
}

func TestAuthorize(t *testing.T) {
	ks, err := ParseKeys([]string{
		keyA,
		keyB + ":domain=b.example,c.example",
		keyC + ":domain=b.example:regex=^/api/v1/presence/",
	})
	if err != nil {
		t.Fatal(err)
	}
	const path = "/api/v1/presence/alice@b.example"
	tests := []struct {
		name, bearer, jid, path string
		want                    error
	}{
		{"unlimited key", keyA, "alice@anywhere.example", "/anything", nil},
		{"missing key", "", "alice@b.example", path, ErrUnauthorized},
		{"unknown key", "k3yD-0123456789abcdef", "alice@b.example", path, ErrUnauthorized},
		{"prefix of a key", keyA[:len(keyA)-1], "alice@b.example", path, ErrUnauthorized},
		{"key plus suffix", keyA + "x", "alice@b.example", path, ErrUnauthorized},
		{"key with options", keyB + ":domain=b.example", "alice@b.example", path, ErrUnauthorized},
		{"domain in list", keyB, "alice@c.example", path, nil},
		{"domain JID", keyB, "b.example", path, nil},
		{"domain differs in case", keyB, "alice@B.Example", path, nil},
		{"wrong domain", keyB, "alice@d.example", path, ErrForbidden},
		{"subdomain is another domain", keyB, "alice@x.b.example", path, ErrForbidden},
		{"no JID", keyB, "", path, ErrForbidden},
		{"domain and path ok", keyC, "alice@b.example", path, nil},
		{"path does not match", keyC, "alice@b.example", "/api/kopano", ErrForbidden},
		{"domain does not match", keyC, "alice@c.example", path, ErrForbidden},
	}
	for _, tt := range tests {
		err := ks.Authorize(tt.bearer, tt.jid, tt.path)
		if !errors.Is(err, tt.want) || (tt.want == nil && err != nil) {
			t.Errorf("%s: Authorize(%q, %q, %q) = %v, want %v", tt.name, tt.bearer, tt.jid, tt.path, err, tt.want)
		}
	}

	var none *Keys
	if err := none.Authorize(keyA, "alice@b.example", path); !errors.Is(err, ErrUnauthorized) {
		t.Errorf("nil Keys: Authorize = %v, want ErrUnauthorized", err)
	}
}

// FuzzParseKey checks that parsing never panics, never echoes the key in an
// error, and that a parsed scope is a fixed point: printing it and parsing
// it again gives the same scope.
func FuzzParseKey(f *testing.F) {
	for _, s := range []string{
		keyA,
		keyA + ":domain=a.example,B.example:regex=^/api/v1/presence/",
		keyA + ":regex=^/(?:a|b):domain=a.example",
		keyA + ":domain=a.example:domain=b.example",
		keyA + ":foo=bar",
		":domain=",
		" " + keyA + " ",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, spec string) {
		k, err := ParseKey(spec)
		secret, _, _ := strings.Cut(strings.TrimSpace(spec), ":")
		if err != nil {
			if !errors.Is(err, ErrBadKey) {
				t.Fatalf("ParseKey(%q) err = %v, not ErrBadKey", spec, err)
			}
			_, rest, _ := strings.Cut(strings.TrimSpace(spec), ":")
			if len(secret) >= MinKeyLength && !strings.Contains(rest, secret) && strings.Contains(err.Error(), secret) {
				t.Fatalf("ParseKey(%q) err = %q echoes the key", spec, err)
			}
			return
		}
		scope := k.Scope()
		k2, err := ParseKey(secret + scope)
		if err != nil {
			t.Fatalf("ParseKey(%q) of canonical form of %q: %v", secret+scope, spec, err)
		}
		if k2.Scope() != scope || k2.sum != k.sum {
			t.Fatalf("round trip of %q: scope %q became %q", spec, scope, k2.Scope())
		}
		ks := &Keys{keys: []Key{k}}
		if errors.Is(ks.Authorize(secret, "", "/"), ErrUnauthorized) {
			t.Fatalf("ParseKey(%q): its own key is unknown", spec)
		}
	})
}
