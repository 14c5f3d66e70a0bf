package web

import (
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// metrics holds the HTTP collectors. Presence and watcher gauges are
// registered by whoever owns those values (see cmd/badges).
type metrics struct {
	requests *prometheus.CounterVec
	duration *prometheus.HistogramVec
	// children caches each route and code's collectors: looking them up by
	// label values hashes and validates the labels and formats the code on
	// every request, a cost a cached badge answer notices. Routes are the
	// mux's patterns and codes a few dozen at most, so the map stays small.
	children sync.Map // routeCode -> *routeMetrics
}

type routeCode struct {
	route string
	code  int
}

// routeMetrics are the collectors of one route and status code.
type routeMetrics struct {
	requests prometheus.Counter
	duration prometheus.Observer
}

// child returns the collectors of route and code.
func (m *metrics) child(route string, code int) *routeMetrics {
	k := routeCode{route, code}
	if c, ok := m.children.Load(k); ok {
		return c.(*routeMetrics)
	}
	c, _ := m.children.LoadOrStore(k, &routeMetrics{
		requests: m.requests.WithLabelValues(route, strconv.Itoa(code)),
		duration: m.duration.WithLabelValues(route),
	})
	return c.(*routeMetrics)
}

func newMetrics(reg prometheus.Registerer) *metrics {
	m := &metrics{
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "badges_http_requests_total",
			Help: "HTTP requests by route pattern and status code.",
		}, []string{"route", "code"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "badges_http_request_duration_seconds",
			Help:    "Time to answer HTTP requests, by route pattern.",
			Buckets: []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, 1},
		}, []string{"route"}),
	}
	reg.MustRegister(m.requests, m.duration)
	return m
}

// statusRecorder remembers the status code a handler wrote.
type statusRecorder struct {
	http.ResponseWriter
	code int
}

func (r *statusRecorder) WriteHeader(code int) {
	if r.code == 0 {
		r.code = code
	}
	r.ResponseWriter.WriteHeader(code)
}

func (r *statusRecorder) Write(b []byte) (int, error) {
	if r.code == 0 {
		r.code = http.StatusOK
	}
	return r.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController (and WebSocket hijacking) reach the
// underlying writer.
func (r *statusRecorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }

// instrument counts requests by the route pattern the mux matched, so that
// label values stay bounded whatever paths clients send.
func (s *Server) instrument(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		rec := &statusRecorder{ResponseWriter: w}
		next.ServeHTTP(rec, r)
		route := r.Pattern
		if route == "" {
			route = "none"
		}
		code := rec.code
		if code == 0 {
			code = http.StatusOK
		}
		c := s.metrics.child(route, code)
		c.requests.Inc()
		c.duration.Observe(time.Since(start).Seconds())
	})
}

// Metrics serves the Prometheus metrics: on the public listener, or on a
// listener of its own when Options.MetricsElsewhere says so.
func (s *Server) Metrics() http.Handler {
	return promhttp.HandlerFor(s.gatherer, promhttp.HandlerOpts{})
}
