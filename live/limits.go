package live

import "time"

// WebSocket limits of docs/API.md#live.
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
	// wsPingPeriod: docs/API.md#live asks for a ping every 30 s. It must exceed
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

// Defaults of the caps on open WebSockets (docs/API.md#errors-and-limits). Each open socket costs
// a file descriptor, a goroutine and up to wsMaxTopics hub entries, and the
// connect rate alone does not bound how many a client keeps.
const (
	// defaultMaxConnsPerClient: a page holds one shared socket and an embed
	// iframe one of its own, so one person rarely has more than a handful
	// open. 50 leaves room for a dozen or two people behind one NAT address
	// with several such pages each, while one address can follow at most
	// 50 × 200 = 10,000 topics and take no more than 1/360 of
	// defaultMaxConns.
	defaultMaxConnsPerClient = 50
	// defaultMaxConns: the process may hold 20,000 open files where it is
	// deployed (docs/PERFORMANCE.md). 18,000 sockets leave 2,000 for the
	// listener, plain HTTP connections, the XMPP connection and the store,
	// so that the cap is met with a 503 rather than by accept failing.
	defaultMaxConns = 18000
	// wsFullRetry is the Retry-After of a connect refused by a cap. When a
	// socket will close cannot be foreseen; 10 s keeps a retrying client
	// cheap and still takes up a freed slot soon.
	wsFullRetry = 10 * time.Second
)

// connCap turns an Options cap into a bound: 0 is def, a negative value no
// bound (0).
func connCap(v, def int) int {
	switch {
	case v == 0:
		return def
	case v < 0:
		return 0
	}
	return v
}
