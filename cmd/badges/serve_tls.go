package main

import (
	"context"
	"log/slog"
	"net/http"
	"os"
	"os/signal"
	"syscall"

	"badges/tlscert"
)

// newHTTPServer is an http.Server with the timeouts every listener needs.
func newHTTPServer(h http.Handler, log *slog.Logger) *http.Server {
	return &http.Server{
		Handler:           h,
		ReadHeaderTimeout: readHeaderLimit,
		IdleTimeout:       idleTimeout,
		MaxHeaderBytes:    1 << 20, // far above the 8 KiB URL limit, so long URLs get a clear 414, not 431
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelDebug),
	}
}

// reloadOnHangup reads the certificate files again on every SIGHUP until
// ctx ends (docs/API.md#deployment). Open connections keep the certificate
// they shook hands with; new handshakes get the new one. Files that do not
// load leave the certificate in use as it was, and the log says why.
func reloadOnHangup(ctx context.Context, cert *tlscert.Holder, log *slog.Logger) {
	hup := make(chan os.Signal, 1)
	signal.Notify(hup, syscall.SIGHUP)
	defer signal.Stop(hup)
	for {
		select {
		case <-ctx.Done():
			return
		case <-hup:
			if err := cert.Reload(); err != nil {
				log.Error("tls: kept the certificate in use", "err", err)
				continue
			}
			leaf := cert.Leaf()
			log.Info("tls: certificate reloaded", "subject", leaf.Subject.String(),
				"serial", leaf.SerialNumber.String(), "not-after", leaf.NotAfter)
		}
	}
}
