package web

import (
	"context"
	"fmt"
	"net/http"
	"net/netip"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/coder/websocket"
	"github.com/prometheus/client_golang/prometheus"
)

// wsHub tracks the open WebSockets so that Shutdown can close them all and
// wait for their goroutines, caps how many are open, and owns the flushers
// that write to them.
type wsHub struct {
	accept  websocket.AcceptOptions
	timing  wsTiming
	limiter *clientLimiter
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

func newWSHub(opt Options, s *Server, reg prometheus.Registerer) *wsHub {
	h := &wsHub{
		timing:  defaultWSTiming,
		limiter: newConnectLimiter(opt, s.now),
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
	reg.MustRegister(prometheus.NewGaugeFunc(prometheus.GaugeOpts{
		Name: "badges_websocket_connections",
		Help: "Open WebSocket connections.",
	}, func() float64 { return float64(h.open.Load()) }))
	return h
}

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
func (h *wsHub) enter(client netip.Addr) wsAdmission {
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
func (h *wsHub) track(c *wsConn) bool {
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
func (h *wsHub) leave(client netip.Addr, c *wsConn) {
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

// handleWS serves GET /ws (SPEC 4.5).
func (s *Server) handleWS(w http.ResponseWriter, r *http.Request) {
	h := s.ws
	client := clientAddr(r.RemoteAddr)
	if ok, retry := h.limiter.allowClient(client); !ok {
		writeRateLimited(w, retry, "too many connection attempts")
		return
	}
	switch h.enter(client) {
	case wsShuttingDown:
		writeError(w, http.StatusServiceUnavailable, "shutting down")
		return
	case wsServerFull:
		w.Header().Set("Retry-After", strconv.Itoa(int(wsFullRetry/time.Second)))
		writeError(w, http.StatusServiceUnavailable, "too many open connections")
		return
	case wsClientFull:
		writeRateLimited(w, wsFullRetry, "too many open connections from this address")
		return
	}
	wire := &wsWire{}
	sb := &smallBuffers{ResponseWriter: w, wire: wire}
	conn, err := websocket.Accept(sb, r, &h.accept)
	if err != nil {
		h.leave(client, nil)
		s.log.Debug("websocket rejected", "remote", r.RemoteAddr, "err", err)
		return // Accept has answered
	}
	// The connection gets a goroutine of its own and this one returns, so
	// that net/http frees its request, response buffers and deep stack:
	// an idle connection keeps only what it needs. wsHub owns the goroutine
	// and Shutdown waits for it.
	c := newWSConn(s, conn, wire)
	first := subscribeFromQuery(r.URL.Query())
	if !h.track(c) {
		c.goAway()
	}
	go func() {
		defer h.leave(client, c)
		c.serve(first)
	}()
}

// shutdownWS closes every WebSocket with 1001 and waits for their
// goroutines, or for ctx.
func (s *Server) shutdownWS(ctx context.Context) error {
	h := s.ws
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
		return fmt.Errorf("web: close websockets: %d still open: %w", h.open.Load(), ctx.Err())
	}
}
