package xmpp

import (
	"math/rand/v2"
	"time"
)

// backoff yields full-jitter exponential delays: a uniform random wait in
// [0, min(cap, base*2^attempt)). The jitter spreads the reconnects of many
// watchers after a server restart instead of synchronising them.
type backoff struct {
	base, cap time.Duration
	attempt   int
}

func (b *backoff) next() time.Duration {
	ceil := b.cap
	if b.attempt < 32 { // beyond this the shift overflows; the cap rules anyway
		if d := b.base << b.attempt; d > 0 && d < b.cap {
			ceil = d
		}
	}
	b.attempt++
	if ceil <= 0 {
		return 0
	}
	return rand.N(ceil)
}

// reset starts over after a session that lasted (see resetsBackoff).
func (b *backoff) reset() { b.attempt = 0 }
