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
// wait for their goroutines.
type wsHub struct {
	accept  websocket.AcceptOptions
	timing  wsTiming
	limiter *connectLimiter

	open atomic.Int64

	mu      sync.Mutex
	closing bool
	done    chan struct{} // closed by Shutdown: every connection closes with 1001
	conns   sync.WaitGroup
}

func newWSHub(opt Options, s *Server, reg prometheus.Registerer) *wsHub {
	h := &wsHub{
		timing:  defaultWSTiming,
		limiter: newConnectLimiter(opt.ConnectRate, opt.ConnectBurst, s.now),
		done:    make(chan struct{}),
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

// enter registers a connection unless the server is shutting down.
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

func (h *wsHub) leave() {
	h.open.Add(-1)
	h.conns.Done()
}

// handleWS serves GET /ws (SPEC 4.5).
func (s *Server) handleWS(w http.ResponseWriter, r *http.Request) {
	h := s.ws
	if ok, retry := h.limiter.allow(r); !ok {
		writeTooMany(w, retry)
		return
	}
	if !h.enter() {
		writeError(w, http.StatusServiceUnavailable, "shutting down")
		return
	}
	conn, err := websocket.Accept(smallBuffers{w}, r, &h.accept)
	if err != nil {
		h.leave()
		s.log.Debug("websocket rejected", "remote", r.RemoteAddr, "err", err)
		return // Accept has answered
	}
	// The connection gets a goroutine of its own and this one returns, so
	// that net/http frees its request, response buffers and deep stack:
	// an idle connection keeps only what it needs. wsHub owns the goroutine
	// and Shutdown waits for it.
	c := newWSConn(s, conn)
	first := subscribeFromQuery(r.URL.Query())
	go func() {
		defer h.leave()
		c.serve(first)
	}()
}

// shutdownWS closes every WebSocket with 1001 and waits for their
// goroutines, or for ctx.
func (s *Server) shutdownWS(ctx context.Context) error {
	h := s.ws
	h.mu.Lock()
	if !h.closing {
		h.closing = true
		close(h.done)
	}
	h.mu.Unlock()
	finished := make(chan struct{})
	go func() { // ends when the last connection does; each close is bounded
		h.conns.Wait()
		close(finished)
	}()
	select {
	case <-finished:
		return nil
	case <-ctx.Done():
		return fmt.Errorf("web: close websockets: %d still open: %w", h.open.Load(), ctx.Err())
	}
}
