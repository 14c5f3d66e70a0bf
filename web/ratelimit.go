package web

import (
	"net/http"
	"net/netip"
	"sync"
	"time"

	"golang.org/x/time/rate"

	"badges/forwarded"
)

// Bounds of a clientLimiter's memory.
const (
	// maxLimitedClients bounds the map of per-client buckets. Buckets that
	// have refilled are dropped first (they equal a fresh one); beyond that
	// an arbitrary one goes, which only ever favours that client.
	maxLimitedClients = 16384
	// limiterSweepEvery spaces out full sweeps, so that a flood of new
	// addresses cannot make every request walk the whole map.
	limiterSweepEvery = time.Second
)

// clientLimiter is a token bucket per client address (docs/API.md#errors-and-limits: per-client
// limits on writes and WebSocket connects). It holds at most
// maxLimitedClients buckets, so its memory stays bounded whatever the number
// of addresses seen. Safe for concurrent use.
type clientLimiter struct {
	limit rate.Limit
	burst int
	now   func() time.Time

	mu        sync.Mutex
	clients   map[netip.Addr]*rate.Limiter
	lastSweep time.Time
}

// newClientLimiter allows each client burst requests at once and limit per
// second after that; a zero limit or burst takes the given default.
// rate.Inf allows everything.
func newClientLimiter(limit rate.Limit, burst int, defLimit rate.Limit, defBurst int, now func() time.Time) *clientLimiter {
	if limit == 0 {
		limit = defLimit
	}
	if burst <= 0 {
		burst = defBurst
	}
	return &clientLimiter{limit: limit, burst: max(burst, 1), now: now, clients: make(map[netip.Addr]*rate.Limiter)}
}

// allow takes a token for the client of r, or says how long until one is free.
func (l *clientLimiter) allow(r *http.Request) (ok bool, retry time.Duration) {
	if l.limit == rate.Inf {
		return true, 0
	}
	return l.allowClient(clientAddr(r.RemoteAddr))
}

// allowClient is allow for a client named by clientAddr.
func (l *clientLimiter) allowClient(key netip.Addr) (ok bool, retry time.Duration) {
	if l.limit == rate.Inf {
		return true, 0
	}
	now := l.now()
	l.mu.Lock()
	defer l.mu.Unlock()
	lim := l.clients[key]
	if lim == nil {
		if len(l.clients) >= maxLimitedClients {
			l.evictLocked(now)
		}
		lim = rate.NewLimiter(l.limit, l.burst)
		l.clients[key] = lim
	}
	res := lim.ReserveN(now, 1)
	if !res.OK() {
		return false, time.Second
	}
	if d := res.DelayFrom(now); d > 0 {
		res.CancelAt(now) // a refused request must not use up the client's future tokens
		return false, d
	}
	return true, 0
}

// evictLocked makes room for one more client.
func (l *clientLimiter) evictLocked(now time.Time) {
	if now.Sub(l.lastSweep) >= limiterSweepEvery {
		l.lastSweep = now
		for k, lim := range l.clients {
			if lim.TokensAt(now) >= float64(l.burst) {
				delete(l.clients, k)
			}
		}
	}
	for k := range l.clients {
		if len(l.clients) < maxLimitedClients {
			break
		}
		delete(l.clients, k)
	}
}

// clientAddr names the client behind a RemoteAddr: its IP address, an IPv6
// client by its /64, which one host usually holds whole. Behind a trusted
// proxy, fromProxies has already made RemoteAddr the client's.
func clientAddr(remote string) netip.Addr {
	a := forwarded.ParseRemote(remote)
	if a.Is6() {
		p, _ := a.Prefix(64)
		return p.Addr()
	}
	return a
}
