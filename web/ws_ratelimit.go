package web

import (
	"net"
	"net/http"
	"net/netip"
	"strconv"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// Defaults of the per-client WebSocket connect limit. A page holds one
// socket and reconnects with backoff, so a burst of 30 covers a busy office
// behind one address reloading at once, and 5 a second refills it.
const (
	defaultConnectRate  rate.Limit = 5
	defaultConnectBurst            = 30
	// maxConnectClients bounds the limiter map. Entries that have refilled
	// are dropped first (they equal a fresh limiter); beyond that an
	// arbitrary one goes, which only ever favours the client.
	maxConnectClients = 16384
	// connectSweepEvery spaces out full sweeps so that a flood of new
	// addresses cannot make every connect walk the whole map.
	connectSweepEvery = time.Second
)

// connectLimiter is a per-client token bucket keyed by the remote address
// (an IPv6 client by its /64, which one host usually holds whole).
type connectLimiter struct {
	limit rate.Limit
	burst int
	now   func() time.Time

	mu        sync.Mutex
	clients   map[netip.Addr]*rate.Limiter
	lastSweep time.Time
}

func newConnectLimiter(limit rate.Limit, burst int, now func() time.Time) *connectLimiter {
	if limit == 0 {
		limit = defaultConnectRate
	}
	if burst <= 0 {
		burst = defaultConnectBurst
	}
	return &connectLimiter{limit: limit, burst: burst, now: now, clients: make(map[netip.Addr]*rate.Limiter)}
}

// allow takes a token for the client of r, or says how long to wait.
func (l *connectLimiter) allow(r *http.Request) (ok bool, retry time.Duration) {
	if l.limit == rate.Inf {
		return true, 0
	}
	key := clientKey(r.RemoteAddr)
	now := l.now()
	l.mu.Lock()
	defer l.mu.Unlock()
	lim := l.clients[key]
	if lim == nil {
		if len(l.clients) >= maxConnectClients {
			l.evictLocked(now)
		}
		lim = rate.NewLimiter(l.limit, l.burst)
		l.clients[key] = lim
	}
	res := lim.ReserveN(now, 1)
	if d := res.DelayFrom(now); d > 0 {
		res.CancelAt(now)
		return false, d
	}
	return true, 0
}

func (l *connectLimiter) evictLocked(now time.Time) {
	if now.Sub(l.lastSweep) >= connectSweepEvery {
		l.lastSweep = now
		for k, lim := range l.clients {
			if lim.TokensAt(now) >= float64(l.burst) {
				delete(l.clients, k)
			}
		}
	}
	for k := range l.clients {
		if len(l.clients) < maxConnectClients {
			break
		}
		delete(l.clients, k)
	}
}

// clientKey names the client behind a RemoteAddr. Forwarding headers are
// not trusted: any client could set them.
func clientKey(remote string) netip.Addr {
	host, _, err := net.SplitHostPort(remote)
	if err != nil {
		host = remote
	}
	a, err := netip.ParseAddr(host)
	if err != nil {
		return netip.Addr{}
	}
	a = a.Unmap()
	if a.Is6() {
		p, _ := a.Prefix(64)
		return p.Addr()
	}
	return a
}

// writeTooMany answers 429 with a Retry-After in whole seconds (at least 1).
func writeTooMany(w http.ResponseWriter, retry time.Duration) {
	secs := int((retry + time.Second - 1) / time.Second)
	w.Header().Set("Retry-After", strconv.Itoa(max(secs, 1)))
	writeError(w, http.StatusTooManyRequests, "too many connection attempts")
}
