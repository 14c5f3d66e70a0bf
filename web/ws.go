package web

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"sync"
	"sync/atomic"

	"github.com/coder/websocket"
	"github.com/prometheus/client_golang/prometheus"
)

// wsHub tracks the open WebSockets so that Shutdown can close them all and
// wait for their goroutines, and owns the flushers that write to them.
type wsHub struct {
	accept  websocket.AcceptOptions
	timing  wsTiming
	limiter *clientLimiter
	flusher *wsFlusher

	open atomic.Int64

	mu      sync.Mutex
	closing bool
	live    map[*wsConn]struct{} // told one by one to close at Shutdown
	conns   sync.WaitGroup
}

func newWSHub(opt Options, s *Server, reg prometheus.Registerer) *wsHub {
	h := &wsHub{
		timing:  defaultWSTiming,
		limiter: newConnectLimiter(opt, s.now),
		flusher: newWSFlusher(),
		live:    make(map[*wsConn]struct{}),
		accept:  websocket.AcceptOptions{CompressionMode: websocket.CompressionDisabled},
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

// enter counts a connection about to be accepted, unless the server is
// shutting down.
func (h *wsHub) enter() bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.closing {
		return false
	}
	h.conns.Add(1)
	h.open.Add(1)
	return true
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

func (h *wsHub) leave(c *wsConn) {
	if c != nil {
		h.mu.Lock()
		delete(h.live, c)
		h.mu.Unlock()
	}
	h.open.Add(-1)
	h.conns.Done()
}

// handleWS serves GET /ws (SPEC 4.5).
func (s *Server) handleWS(w http.ResponseWriter, r *http.Request) {
	h := s.ws
	if ok, retry := h.limiter.allow(r); !ok {
		writeRateLimited(w, retry, "too many connection attempts")
		return
	}
	if !h.enter() {
		writeError(w, http.StatusServiceUnavailable, "shutting down")
		return
	}
	wire := &wsWire{}
	sb := &smallBuffers{ResponseWriter: w, wire: wire}
	conn, err := websocket.Accept(sb, r, &h.accept)
	if err != nil {
		h.leave(nil)
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
		defer h.leave(c)
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
