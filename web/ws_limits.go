package web

import (
	"time"

	"golang.org/x/time/rate"
)

// WebSocket limits of SPEC 4.5.
const (
	// wsMaxTopics bounds the subscriptions of one connection; a subscribe
	// beyond it gets an error frame and the connection stays.
	wsMaxTopics = 200
	// wsMaxFrame bounds a client frame; a larger one closes with 1009.
	// 4 KiB holds a subscribe for dozens of JIDs with their sigs.
	wsMaxFrame = 4 << 10
)

// WebSocket timing. Each constant names the rule it satisfies.
const (
	// wsPingPeriod: SPEC 4.5 asks for a ping every 30 s. It must exceed
	// wsPongWait so that at most one ping is ever outstanding.
	wsPingPeriod = 30 * time.Second
	// wsPongWait is how long a peer may take to answer a ping before it
	// counts as dead and is closed. Loopback and mobile round trips are far
	// below it; it must stay below wsPingPeriod.
	wsPongWait = 10 * time.Second
	// wsWriteWait bounds every write (one batch of frames): a peer whose
	// receive window stays shut this long is as good as dead, and closing it
	// frees its buffers. It must exceed any sane round trip.
	wsWriteWait = 10 * time.Second
)

// wsTiming carries the timing constants so that tests can shorten them.
type wsTiming struct {
	pingPeriod, pongWait, writeWait time.Duration
}

var defaultWSTiming = wsTiming{pingPeriod: wsPingPeriod, pongWait: wsPongWait, writeWait: wsWriteWait}

// Defaults of the per-client WebSocket connect limit (SPEC 6). A page holds
// one socket and reconnects with backoff, so a burst of 30 covers a busy
// office behind one address reloading at once, and 5 a second refills it.
const (
	defaultConnectRate  rate.Limit = 5
	defaultConnectBurst            = 30
)

// newConnectLimiter applies Options.ConnectRate and ConnectBurst.
func newConnectLimiter(opt Options, now func() time.Time) *clientLimiter {
	limit, burst := opt.ConnectRate, opt.ConnectBurst
	if limit == 0 {
		limit = defaultConnectRate
	}
	if burst <= 0 {
		burst = defaultConnectBurst
	}
	return newClientLimiter(limit, burst, now)
}
