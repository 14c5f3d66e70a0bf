//go:build pprof

package main

import (
	"log/slog"
	"net/http"
	"net/http/pprof"
	"os"
	"time"
)

// With the pprof build tag (used by the benchmarks, docs/PERFORMANCE.md),
// badges serves net/http/pprof on the address in BADGES_PPROF_ADDR, a
// listener of its own, so that the server under load can be profiled.
// Release builds do not contain this file.
func init() {
	addr := os.Getenv("BADGES_PPROF_ADDR")
	if addr == "" {
		return
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /debug/pprof/", pprof.Index)
	mux.HandleFunc("GET /debug/pprof/profile", pprof.Profile)
	srv := &http.Server{Addr: addr, Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	go func() { // lives as long as the process
		if err := srv.ListenAndServe(); err != nil {
			slog.Error("pprof listener", "err", err)
		}
	}()
}
