package web

import (
	"net/http"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"golang.org/x/time/rate"

	"badges/live"
	"badges/web/respond"
)

// Defaults of the per-client WebSocket connect limit
// (docs/API.md#errors-and-limits). A page holds one socket and reconnects
// with backoff, so a burst of 30 covers a busy office behind one address
// reloading at once, and 5 a second refills it.
const (
	defaultConnectRate  rate.Limit = 5
	defaultConnectBurst            = 30
)

// newConnectLimiter applies Options.ConnectRate and ConnectBurst.
func newConnectLimiter(opt Options, now func() time.Time) *clientLimiter {
	return newClientLimiter(opt.ConnectRate, opt.ConnectBurst, defaultConnectRate, defaultConnectBurst, now)
}

// newLive builds the live engine over the server's hub and visibility rule.
func newLive(opt Options, s *Server, reg *prometheus.Registry) *live.Engine {
	return live.New(live.Options{
		Hub: opt.Hub, Visibility: s.vis, Logger: s.log, Registry: reg, Origins: opt.Origins,
		MaxConnsPerClient: opt.MaxConnsPerClient, MaxConns: opt.MaxConns,
	})
}

// handleWS serves GET /ws (docs/API.md#live): the connect rate per client
// address is checked here, everything else is the live engine's.
func (s *Server) handleWS(w http.ResponseWriter, r *http.Request) {
	client := clientAddr(r.RemoteAddr)
	if ok, retry := s.connects.allowClient(client); !ok {
		respond.RateLimited(w, retry, "too many connection attempts")
		return
	}
	if no := s.live.Serve(w, r, client); no != nil {
		if no.RetryAfter > 0 {
			w.Header().Set("Retry-After", strconv.Itoa(int((no.RetryAfter+time.Second-1)/time.Second)))
		}
		respond.Error(w, no.Status, no.Reason)
	}
}
