// Package live is the live engine behind GET /ws (docs/API.md#live): it
// upgrades a request to a WebSocket, subscribes it to the hub's topics that
// the visibility rule lets it see, and writes every change as a frame.
//
// Its interface to the server is narrow: Options (the hub, the visibility
// rule, the caps on open connections, a logger and a metrics registry),
// Engine.Serve for one request from one client address, and
// Engine.Shutdown. It knows nothing of the web server: the caller decides
// who the client is (the address the per-client cap counts) and limits the
// rate of connects.
package live

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/netip"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/coder/websocket"
	"github.com/prometheus/client_golang/prometheus"

	"badges/presence"
	"badges/visibility"
)

// Options configure an Engine. Hub and Visibility are required.
type Options struct {
	// Hub holds the values and takes the subscriptions.
	Hub presence.Hub
	// Visibility decides, at subscribe, whether a topic is followed or
	// answered once with the value of a topic that does not exist.
	Visibility *visibility.Rule
	// Logger gets debug lines about connections; nil: discarded.
	Logger *slog.Logger
	// Registry receives the open-connections gauge; nil: not registered.
	Registry prometheus.Registerer
	// Origins are the origin patterns allowed to open a WebSocket
	// (path.Match against the Origin's host, or scheme://host when a
	// pattern holds "://"). The server's own host is always allowed.
	// Empty or containing "*": any origin.
	Origins []string
	// MaxConnsPerClient caps the connections one client address holds
	// open at once; beyond it a connect is refused with 429. 0: 50;
	// negative: no cap.
	MaxConnsPerClient int
	// MaxConns caps the connections open at once; beyond it a connect is
	// refused with 503. 0: 18,000; negative: no cap.
	MaxConns int
}

// Engine tracks the open WebSockets so that Shutdown can close them all and
// wait for their goroutines, caps how many are open, and owns the flushers
// that write to them.
type Engine struct {
	hub     presence.Hub
	vis     *visibility.Rule
	log     *slog.Logger
	accept  websocket.AcceptOptions
	timing  wsTiming
	flusher *wsFlusher
	// maxConns and maxPerClient cap the open connections in all and per
	// client address; 0: no cap.
	maxConns, maxPerClient int

	open atomic.Int64 // changed under mu; read without it by the gauge

	mu        sync.Mutex
	closing   bool
	perClient map[netip.Addr]int   // open connections per client; no zero entries
	live      map[*wsConn]struct{} // told one by one to close at Shutdown
	conns     sync.WaitGroup
}

// New returns an engine with no connections.
func New(opt Options) *Engine {
	h := &Engine{
		hub:     opt.Hub,
		vis:     opt.Visibility,
		log:     opt.Logger,
		timing:  defaultWSTiming,
		flusher: newWSFlusher(),
		live:    make(map[*wsConn]struct{}),
		accept:  websocket.AcceptOptions{CompressionMode: websocket.CompressionDisabled},

		maxConns:     connCap(opt.MaxConns, defaultMaxConns),
		maxPerClient: connCap(opt.MaxConnsPerClient, defaultMaxConnsPerClient),
		perClient:    make(map[netip.Addr]int),
	}
	// "*" means any origin; coder/websocket wants that said explicitly
	// rather than as a pattern.
	if len(opt.Origins) == 0 || slices.Contains(opt.Origins, "*") {
		h.accept.InsecureSkipVerify = true
	} else {
		h.accept.OriginPatterns = opt.Origins
	}
	if h.log == nil {
		h.log = slog.New(slog.DiscardHandler)
	}
	if opt.Registry != nil {
		opt.Registry.MustRegister(prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "badges_websocket_connections",
			Help: "Open WebSocket connections.",
		}, func() float64 { return float64(h.open.Load()) }))
	}
	return h
}

// Open reports how many connections are open.
func (h *Engine) Open() int { return int(h.open.Load()) }

// wsAdmission is what enter decided.
type wsAdmission int

const (
	wsAdmitted     wsAdmission = iota
	wsShuttingDown             // 503: Shutdown has begun
	wsServerFull               // 503: maxConns are open
	wsClientFull               // 429: the client holds maxPerClient
)

// enter admits a connection of client, about to be accepted, and counts it
// until leave; the caps are checked and the counts changed in one critical
// section, so that concurrent connects cannot overshoot them.
func (h *Engine) enter(client netip.Addr) wsAdmission {
	h.mu.Lock()
	defer h.mu.Unlock()
	switch {
	case h.closing:
		return wsShuttingDown
	case h.maxConns > 0 && h.open.Load() >= int64(h.maxConns):
		return wsServerFull
	case h.maxPerClient > 0 && h.perClient[client] >= h.maxPerClient:
		return wsClientFull
	}
	h.perClient[client]++
	h.conns.Add(1)
	h.open.Add(1)
	return wsAdmitted
}

// track lists an accepted connection for Shutdown; false: Shutdown has
// begun meanwhile and c must close at once.
func (h *Engine) track(c *wsConn) bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.closing {
		return false
	}
	h.live[c] = struct{}{}
	return true
}

// leave uncounts a connection that enter admitted: c once it has ended,
// nil when the upgrade failed.
func (h *Engine) leave(client netip.Addr, c *wsConn) {
	h.mu.Lock()
	if c != nil {
		delete(h.live, c)
	}
	if n := h.perClient[client] - 1; n > 0 {
		h.perClient[client] = n
	} else {
		delete(h.perClient, client)
	}
	h.open.Add(-1)
	h.mu.Unlock()
	h.conns.Done()
}

// Refusal is why Serve did not admit a connection: the caller answers with
// Status and Reason, and a Retry-After of RetryAfter when it is not zero.
type Refusal struct {
	Status     int
	Reason     string
	RetryAfter time.Duration
}

// Serve upgrades r to a WebSocket of client, subscribes it to the topics
// its query names (?jid=A&room=R, with sig under signed visibility) and
// serves it on a goroutine the engine owns; it returns once the connection
// is handed over. A connect refused by a cap or by Shutdown gets a Refusal
// and nothing is written; a failed upgrade is answered by the upgrade.
func (h *Engine) Serve(w http.ResponseWriter, r *http.Request, client netip.Addr) *Refusal {
	switch h.enter(client) {
	case wsShuttingDown:
		return &Refusal{Status: http.StatusServiceUnavailable, Reason: "shutting down"}
	case wsServerFull:
		return &Refusal{Status: http.StatusServiceUnavailable, Reason: "too many open connections", RetryAfter: wsFullRetry}
	case wsClientFull:
		return &Refusal{Status: http.StatusTooManyRequests, Reason: "too many open connections from this address", RetryAfter: wsFullRetry}
	}
	wire := &wsWire{}
	sb := &smallBuffers{ResponseWriter: w, wire: wire}
	conn, err := websocket.Accept(sb, r, &h.accept)
	if err != nil {
		h.leave(client, nil)
		h.log.Debug("websocket rejected", "remote", r.RemoteAddr, "err", err)
		return nil // Accept has answered
	}
	// The connection gets a goroutine of its own and this one returns, so
	// that net/http frees its request, response buffers and deep stack:
	// an idle connection keeps only what it needs. The engine owns the
	// goroutine and Shutdown waits for it.
	c := newWSConn(h, conn, wire)
	first := subscribeFromQuery(r.URL.Query())
	if !h.track(c) {
		c.goAway()
	}
	go func() {
		defer h.leave(client, c)
		c.serve(first)
	}()
	return nil
}

// Shutdown closes every WebSocket with 1001 (docs/API.md#live) and waits
// for their goroutines, or for ctx. New connects are refused from then on.
func (h *Engine) Shutdown(ctx context.Context) error {
	h.mu.Lock()
	h.closing = true
	for c := range h.live {
		c.goAway()
	}
	h.mu.Unlock()
	finished := make(chan struct{})
	go func() { // ends when the last connection does; each close is bounded
		h.conns.Wait()
		h.flusher.wait()
		close(finished)
	}()
	select {
	case <-finished:
		return nil
	case <-ctx.Done():
		return fmt.Errorf("live: close websockets: %d still open: %w", h.open.Load(), ctx.Err())
	}
}
