package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/redis/go-redis/v9"

	"badges/avatar"
	"badges/cluster"
	"badges/presence"
	"badges/store"
	"badges/tlscert"
	"badges/web"
)

// Shutdown budget of docs/API.md#operations: everything is closed within 10 s of SIGTERM.
const (
	// shutdownTimeout bounds closing WebSockets and draining requests. The
	// watcher logs off meanwhile (within about a second), and what is left
	// of the 10 s rule is for closing the directory and the store.
	shutdownTimeout = 8 * time.Second
	readHeaderLimit = 5 * time.Second // a slow client cannot hold a connection before its request
	idleTimeout     = 120 * time.Second
)

// serve runs the server until ctx is cancelled, then shuts down in order:
// stop accepting, close WebSockets (1001), log the watcher off, flush the store.
func serve(ctx context.Context, cfg Config, stdout, stderr io.Writer) error {
	log := newLogger(cfg, stderr)
	log.Info("starting", "version", version, "config", cfg)

	hub := presence.NewMemHub()
	dopt := presence.DirectoryOptions{StaleAfter: cfg.StaleAfter, ShowMessages: cfg.ShowMessages, Share: cfg.Share}
	var dir *presence.Directory
	var shared *cluster.Store
	var rdb redis.UniversalClient
	var err error
	if cfg.Redis != "" {
		// Replicas on Redis (docs/DESIGN.md): the embedded store is not used.
		if rdb, err = cluster.Connect(cfg.Redis); err != nil {
			return usageError{err}
		}
		defer rdb.Close()
		shared = cluster.NewStore(rdb)
		dir, err = presence.NewDirectory(hub, shared, dopt)
	} else {
		st, oerr := store.Open(cfg.Data)
		if oerr != nil {
			return oerr
		}
		defer func() {
			if err := st.Close(); err != nil {
				log.Error("closing store", "err", err)
			}
		}()
		dir, err = presence.NewDirectory(hub, st, dopt)
	}
	if err != nil {
		return err
	}
	defer dir.Close()

	// Rendered pictures get an eighth of -cache-bytes, beside the web's.
	avatars := avatar.NewStore(max(cfg.CacheBytes/8, avatar.DefaultCacheBytes/8))
	if rdb != nil { // every replica serves the pictures of the watcher's holder
		avatars.UseShared(cluster.NewAvatars(rdb), func(err error) { log.Warn("avatars", "err", err) })
	}
	w, err := newWatcher(cfg, dir, avatars, log)
	if err != nil {
		return usageError{err}
	}
	var node *cluster.Node
	if shared != nil {
		no := cluster.NodeOptions{Client: rdb, Store: shared, Directory: dir, Hub: hub,
			LeaseTTL: cfg.LeaseTTL, ExpiryClaim: cfg.ExpiryClaim, Logger: log.With("component", "cluster")}
		if w != nil {
			no.Watcher = w
		}
		node = cluster.NewNode(no)
	}
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	registerPresenceMetrics(reg, dir, w)

	opts, err := webOptions(cfg, hub, dir, log, reg)
	if err != nil {
		return usageError{err}
	}
	opts.Avatars = avatars
	opts.Ready = func() string {
		if w != nil && !w.Connected() {
			return "xmpp watcher not connected"
		}
		return ""
	}
	if node != nil {
		// Every replica that reaches Redis is ready, standbys too.
		opts.Ready, opts.Watcher = node.Ready, node.Role
		registerClusterMetrics(reg, node)
	}
	var cert *tlscert.Holder
	if cfg.TLSCert != "" {
		if cert, err = tlscert.Load(cfg.TLSCert, cfg.TLSKey); err != nil {
			return usageError{fmt.Errorf("tls-cert: %w", err)}
		}
	}
	srv := web.New(opts)

	ln, err := net.Listen("tcp", cfg.Listen)
	if err != nil {
		return fmt.Errorf("listen %s: %w", cfg.Listen, err)
	}
	log.Info("listening", "addr", ln.Addr().String(), "tls", cert != nil, "base-path", cfg.BasePath)
	httpSrv := newHTTPServer(srv, log)
	servers := []*http.Server{httpSrv}
	var metricsLn net.Listener
	if cfg.MetricsListen != "" {
		metricsLn, err = net.Listen("tcp", cfg.MetricsListen)
		if err != nil {
			ln.Close()
			return fmt.Errorf("listen %s: %w", cfg.MetricsListen, err)
		}
		log.Info("metrics listening", "addr", metricsLn.Addr().String())
		mux := http.NewServeMux()
		mux.Handle("GET /metrics", srv.Metrics())
		servers = append(servers, newHTTPServer(mux, log))
	}

	var wg sync.WaitGroup
	watchCtx, stopWatch := context.WithCancel(context.WithoutCancel(ctx))
	defer stopWatch()
	switch {
	case node != nil:
		wg.Go(func() { node.Run(watchCtx) }) // runs the watcher while it holds the lease
	case w != nil:
		wg.Go(func() {
			if err := w.Run(watchCtx); err != nil && !errors.Is(err, context.Canceled) {
				log.Error("xmpp watcher stopped", "err", err)
			}
		})
	}
	if cert != nil {
		// SIGHUP reads the certificate files again, until shutdown.
		wg.Go(func() { reloadOnHangup(watchCtx, cert, log) })
	}
	serveErr := make(chan error, len(servers))
	go func() { // ends when Shutdown stops the listener
		if cert != nil {
			httpSrv.TLSConfig = cert.Config()
			serveErr <- httpSrv.ServeTLS(ln, "", "")
			return
		}
		serveErr <- httpSrv.Serve(ln)
	}()
	if metricsLn != nil {
		go func() { serveErr <- servers[1].Serve(metricsLn) }() // ends at Shutdown
	}

	select {
	case err = <-serveErr:
		err = fmt.Errorf("http: %w", err)
	case <-ctx.Done():
		log.Info("shutting down")
	}
	sctx, cancel := context.WithTimeout(context.Background(), shutdownTimeout)
	defer cancel()
	if e := srv.Shutdown(sctx); e != nil {
		log.Warn("closing websockets", "err", e)
	}
	stopWatch() // the watcher sends unavailable presence and logs off while requests drain
	for _, hs := range servers {
		if e := hs.Shutdown(sctx); e != nil {
			log.Warn("http shutdown", "err", e)
		}
	}
	wg.Wait()
	log.Info("stopped")
	return err
}

// newLogger builds the slog logger of -log-level and -log-format.
func newLogger(cfg Config, out io.Writer) *slog.Logger {
	ho := &slog.HandlerOptions{Level: cfg.LogLevel}
	if cfg.LogFormat == "json" {
		return slog.New(slog.NewJSONHandler(out, ho))
	}
	return slog.New(slog.NewTextHandler(out, ho))
}

// registerPresenceMetrics exports the directory's and watcher's state.
func registerPresenceMetrics(reg prometheus.Registerer, dir *presence.Directory, w watcher) {
	reg.MustRegister(
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "badges_watcher_connected", Help: "1 while the XMPP watcher is logged in.",
		}, func() float64 {
			if w != nil && w.Connected() {
				return 1
			}
			return 0
		}),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "badges_visible_jids", Help: "JIDs whose presence is shown.",
		}, func() float64 { return float64(dir.Stats().Visible) }),
		prometheus.NewCounterFunc(prometheus.CounterOpts{
			Name: "badges_presence_updates_total", Help: "Aggregated presence values published.",
		}, func() float64 { return float64(dir.Stats().Updates) }),
	)
}

// registerClusterMetrics exports this replica's part in a cluster.
func registerClusterMetrics(reg prometheus.Registerer, node *cluster.Node) {
	reg.MustRegister(prometheus.NewGaugeFunc(prometheus.GaugeOpts{
		Name: "badges_watcher_leader", Help: "1 while this replica holds the XMPP watcher's lease (under -redis).",
	}, func() float64 {
		if node.Leader() {
			return 1
		}
		return 0
	}))
}
