package main

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"

	"badges/forwarded"
)

// Parsers of the deployment and limit settings (docs/API.md#deployment).

// parseProxy checks one trusted proxy: an address or a CIDR prefix.
func parseProxy(s string) (string, error) {
	if _, err := forwarded.ParseProxies([]string{s}); err != nil {
		return "", err
	}
	return s, nil
}

// maxBasePath bounds -base-path well below the 8 KiB URL limit.
const maxBasePath = 256

// parseBasePath accepts "/" (the root, returned as "") or a path of
// segments of unreserved URL characters, returned with one leading slash
// and none trailing: "/presence/" is "/presence".
func parseBasePath(s string) (string, error) {
	if !strings.HasPrefix(s, "/") {
		return "", errors.New("must start with /")
	}
	if len(s) > maxBasePath {
		return "", fmt.Errorf("must be at most %d bytes", maxBasePath)
	}
	p := strings.TrimSuffix(s, "/")
	if p == "" {
		return "", nil
	}
	for seg := range strings.SplitSeq(p[1:], "/") {
		if seg == "" || seg == "." || seg == ".." {
			return "", errors.New("must not have empty, . or .. segments")
		}
		for i := 0; i < len(seg); i++ {
			c := seg[i]
			if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '.' || c == '_' || c == '~') {
				return "", errors.New("segments may hold only letters, digits, -, ., _ and ~")
			}
		}
	}
	return p, nil
}

// parseCount accepts a positive whole number.
func parseCount(s string) (int, error) {
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 {
		return 0, errors.New("must be a whole number, at least 1")
	}
	return n, nil
}

// parseRate accepts a positive number of events per second.
func parseRate(s string) (float64, error) {
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || !(f > 0) || math.IsInf(f, 0) {
		return 0, errors.New("must be a positive number (per second)")
	}
	return f, nil
}

// minCacheBytes keeps the caches useful: a few hundred badges.
const minCacheBytes = 1 << 20

// byteUnits are the suffixes parseBytes takes, longest first.
var byteUnits = []struct {
	suffix string
	mult   int64
}{
	{"kib", 1 << 10}, {"mib", 1 << 20}, {"gib", 1 << 30},
	{"kb", 1e3}, {"mb", 1e6}, {"gb", 1e9},
	{"k", 1 << 10}, {"m", 1 << 20}, {"g", 1 << 30},
	{"b", 1},
}

// parseBytes accepts a size in bytes, plain ("67108864") or with a unit
// ("64MiB", "512KiB", "1GiB"; KB, MB and GB are powers of ten), at least
// 1 MiB.
func parseBytes(s string) (int64, error) {
	num, mult := strings.ToLower(strings.TrimSpace(s)), int64(1)
	for _, u := range byteUnits {
		if rest, ok := strings.CutSuffix(num, u.suffix); ok {
			num, mult = strings.TrimSpace(rest), u.mult
			break
		}
	}
	n, err := strconv.ParseInt(num, 10, 64)
	if err != nil || n < 0 || n > math.MaxInt64/mult {
		return 0, errors.New("must be a size in bytes, such as 67108864 or 64MiB")
	}
	if n*mult < minCacheBytes {
		return 0, errors.New("must be at least 1MiB")
	}
	return n * mult, nil
}
