package auth

import (
	"crypto/sha256"
	"crypto/subtle"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"unicode"

	"badges/presence"
)

// API keys authorise the write API (docs/API.md#writing-presence). A key specification follows
// Tigase's HTTP API keys:
//
//	KEY
//	KEY:domain=a.example,b.example
//	KEY:domain=a.example:regex=^/api/v1/presence/
//
// The key runs up to the first ':'. Each option after it appears at most
// once, in any order. A ':' starts a new option only when "domain=" or
// "regex=" follows it, so a regex may itself hold a ':' (as in "(?:...)").
//
//   - domain: a comma-separated list of domains; the key may act only on JIDs
//     of these domains (exact match after normalisation, so case-insensitive).
//   - regex: a Go (RE2) regular expression that the request path must match
//     somewhere; anchor it with ^ and $ to match the whole path.
//
// Surrounding white space is ignored; white space inside is an error, since
// it is almost always a pasting mistake and no key, domain or path needs it.

// MinKeyLength is the shortest key accepted. Sixteen characters of the key
// alphabet drawn at random carry over 90 bits, beyond any online guessing;
// shorter keys are weak or typos. `openssl rand -base64 24` makes a good key.
const MinKeyLength = 16

const (
	// maxKeyLength bounds the key itself; keys are random strings, not essays.
	maxKeyLength = 512
	// maxKeySpecLength bounds a whole specification, options included.
	maxKeySpecLength = 4096
)

// Key is one parsed API key: a digest of the secret and the scope it is
// limited to. The secret itself is not kept, so a Key that is printed,
// logged or dumped cannot reveal it.
type Key struct {
	// sum is the SHA-256 of the key. Comparing fixed-length digests in
	// constant time tells an attacker nothing about shared prefixes.
	sum [sha256.Size]byte
	// Domains, when not empty, limits the key to JIDs of these domains
	// (normalised: lower case, no duplicates, in the order given).
	Domains []string
	// Path, when not nil, limits the key to request paths it matches.
	Path *regexp.Regexp
}

// ParseKey parses one key specification. Its errors wrap ErrBadKey and never
// contain the key itself.
func ParseKey(s string) (Key, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return Key{}, fmt.Errorf("%w: empty", ErrBadKey)
	}
	if len(s) > maxKeySpecLength {
		return Key{}, fmt.Errorf("%w: longer than %d bytes", ErrBadKey, maxKeySpecLength)
	}
	if strings.IndexFunc(s, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) }) >= 0 {
		return Key{}, fmt.Errorf("%w: contains white space or a control character", ErrBadKey)
	}
	secret, opts, hasOpts := strings.Cut(s, ":")
	if err := checkSecret(secret); err != nil {
		return Key{}, err
	}
	k := Key{sum: sha256.Sum256([]byte(secret))}
	if !hasOpts {
		return k, nil
	}
	seen := map[string]bool{}
	for i, opt := range splitOptions(opts) {
		name, value, ok := strings.Cut(opt, "=")
		if !ok || (name != "domain" && name != "regex") {
			// Only echo what looks like an option name: a misplaced ':' can
			// put part of a secret here.
			if ok && len(name) <= 16 && isLowerWord(name) {
				return Key{}, fmt.Errorf("%w: unknown option %q (known: domain, regex)", ErrBadKey, name)
			}
			return Key{}, fmt.Errorf("%w: option %d is not domain=... or regex=...", ErrBadKey, i+1)
		}
		if seen[name] {
			return Key{}, fmt.Errorf("%w: option %s given twice", ErrBadKey, name)
		}
		seen[name] = true
		var err error
		switch name {
		case "domain":
			k.Domains, err = parseDomains(value)
		case "regex":
			k.Path, err = parseRegex(value)
		}
		if err != nil {
			return Key{}, err
		}
	}
	return k, nil
}

// checkSecret holds a key to the bearer-token alphabet of RFC 6750, so that
// it travels in an Authorization header unchanged and can never contain the
// ':' that marks a user token.
func checkSecret(secret string) error {
	if secret == "" {
		return fmt.Errorf("%w: empty key", ErrBadKey)
	}
	if len(secret) < MinKeyLength {
		return fmt.Errorf("%w: key has %d characters, at least %d required", ErrBadKey, len(secret), MinKeyLength)
	}
	if len(secret) > maxKeyLength {
		return fmt.Errorf("%w: key longer than %d characters", ErrBadKey, maxKeyLength)
	}
	body := strings.TrimRight(secret, "=")
	if body == "" || strings.IndexFunc(body, func(r rune) bool { return !isKeyChar(r) }) >= 0 {
		return fmt.Errorf("%w: key may hold only A-Z a-z 0-9 - . _ ~ + / and trailing =", ErrBadKey)
	}
	return nil
}

func isKeyChar(r rune) bool {
	return 'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || '0' <= r && r <= '9' || strings.ContainsRune("-._~+/", r)
}

func isLowerWord(s string) bool {
	return s != "" && strings.IndexFunc(s, func(r rune) bool { return r < 'a' || r > 'z' }) < 0
}

// splitOptions splits at each ':' that starts a known option, keeping any
// other ':' inside the value before it.
func splitOptions(s string) []string {
	var parts []string
	start := 0
	for i := 0; i < len(s); i++ {
		if s[i] == ':' && (strings.HasPrefix(s[i+1:], "domain=") || strings.HasPrefix(s[i+1:], "regex=")) {
			parts = append(parts, s[start:i])
			start = i + 1
		}
	}
	return append(parts, s[start:])
}

func parseDomains(v string) ([]string, error) {
	if v == "" {
		return nil, fmt.Errorf("%w: empty domain list", ErrBadKey)
	}
	// Entries are named by position, not echoed: a key pasted into the
	// list by mistake (a missing ':' or a list split wrongly) must not end
	// up in a log.
	var out []string
	i := 0
	for d := range strings.SplitSeq(v, ",") {
		i++
		switch {
		case d == "":
			return nil, fmt.Errorf("%w: domain list: entry %d is empty", ErrBadKey, i)
		case strings.Contains(d, ":"):
			// Only domain= and regex= start an option, so a ':' here is
			// usually a misspelt or unknown option.
			return nil, fmt.Errorf("%w: unexpected ':' in domain list (known options: domain, regex)", ErrBadKey)
		case strings.ContainsAny(d, "@/"):
			return nil, fmt.Errorf("%w: domain list: entry %d is a JID, not a domain", ErrBadKey, i)
		}
		norm, err := presence.ParseJID(d)
		if err != nil {
			return nil, fmt.Errorf("%w: domain list: entry %d is not a valid domain", ErrBadKey, i)
		}
		if !slices.Contains(out, norm) {
			out = append(out, norm)
		}
	}
	return out, nil
}

func parseRegex(v string) (*regexp.Regexp, error) {
	if v == "" {
		return nil, fmt.Errorf("%w: empty regex", ErrBadKey)
	}
	re, err := regexp.Compile(v)
	if err != nil {
		return nil, fmt.Errorf("%w: regex: %v", ErrBadKey, err)
	}
	return re, nil
}

// Scope returns the key's options in canonical form (":domain=...:regex=...",
// or "" for an unlimited key): what the key may do, without the key.
func (k Key) Scope() string {
	var b strings.Builder
	if len(k.Domains) > 0 {
		b.WriteString(":domain=")
		b.WriteString(strings.Join(k.Domains, ","))
	}
	if k.Path != nil {
		b.WriteString(":regex=")
		b.WriteString(k.Path.String())
	}
	return b.String()
}

// String describes the key for logs with the key itself redacted.
func (k Key) String() string { return "[redacted]" + k.Scope() }

// allows reports whether the key's scope covers a write to jid at path.
func (k *Key) allows(jid, path string) error {
	if len(k.Domains) > 0 {
		d := presence.Domain(jid)
		if !slices.ContainsFunc(k.Domains, func(x string) bool { return strings.EqualFold(x, d) }) {
			return fmt.Errorf("%w: API key is limited to other domains", ErrForbidden)
		}
	}
	if k.Path != nil && !k.Path.MatchString(path) {
		return fmt.Errorf("%w: API key is limited to other paths", ErrForbidden)
	}
	return nil
}

// Keys is the set of configured API keys. The zero value and nil hold no
// keys and authorise nothing.
type Keys struct {
	keys []Key
}

// ParseKeys parses every specification. An error names the key by its
// position, counted from 1, and wraps ErrBadKey; the same key given twice is
// an error, since its two scopes would contradict each other.
func ParseKeys(specs []string) (*Keys, error) {
	ks := &Keys{keys: make([]Key, 0, len(specs))}
	for i, s := range specs {
		k, err := ParseKey(s)
		if err != nil {
			return nil, fmt.Errorf("api key %d: %w", i+1, err)
		}
		for j, prev := range ks.keys {
			if prev.sum == k.sum {
				return nil, fmt.Errorf("%w: api key %d repeats api key %d", ErrBadKey, i+1, j+1)
			}
		}
		ks.keys = append(ks.keys, k)
	}
	return ks, nil
}

// Authorize decides whether bearer, a key from an Authorization header, may
// write the presence of jid (a normalised bare JID) at the request path
// path. It returns ErrUnauthorized for a missing or unknown key (401),
// ErrForbidden for a genuine key used outside its scope (403), else nil.
func (ks *Keys) Authorize(bearer, jid, path string) error {
	k := ks.find(bearer)
	if k == nil {
		return fmt.Errorf("%w: unknown API key", ErrUnauthorized)
	}
	return k.allows(jid, path)
}

// find compares the digest of bearer with every key's digest, without
// stopping at a match, so the time taken says nothing about which key (if
// any) matched or how much of it.
func (ks *Keys) find(bearer string) *Key {
	if ks == nil || bearer == "" {
		return nil
	}
	sum := sha256.Sum256([]byte(bearer))
	var found *Key
	for i := range ks.keys {
		if subtle.ConstantTimeCompare(sum[:], ks.keys[i].sum[:]) == 1 {
			found = &ks.keys[i]
		}
	}
	return found
}
