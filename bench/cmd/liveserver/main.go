// Command liveserver is the server under test of the live benchmarks:
// web.New over an in-memory hub and directory, with the WebSocket connect
// limit off, plus a control listener through which the load generator
// triggers presence changes. Only for benchmarks.
//
// It prints "ws ADDR control ADDR" once both listen, and stops on SIGTERM.
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"log"
	"net"
	"net/http"
	"net/http/pprof"
	"os"
	"os/signal"
	"runtime"
	"runtime/debug"
	"strconv"
	"sync"
	"syscall"
	"time"

	"golang.org/x/time/rate"

	"badges/bench/wsload"
	"badges/presence"
	"badges/web"
)

func main() {
	listen := flag.String("listen", "127.0.0.1:0", "address of the server under test")
	control := flag.String("control", "127.0.0.1:0", "address of the control listener")
	flag.Parse()
	if err := run(*listen, *control); err != nil {
		log.Fatal(err)
	}
}

func run(listen, control string) error {
	if _, err := wsload.RaiseFileLimit(); err != nil {
		return err
	}
	hub := presence.NewMemHub()
	dir, err := presence.NewDirectory(hub, &memStore{}, presence.DirectoryOptions{ShowMessages: true})
	if err != nil {
		return fmt.Errorf("liveserver: directory: %w", err)
	}
	defer dir.Close()
	// The load generator's few source addresses stand for thousands of
	// clients: no per-client limit applies. The global cap (18,000) stays.
	srv := web.New(web.Options{Hub: hub, Directory: dir, ShowMessages: true, ConnectRate: rate.Inf, MaxConnsPerClient: -1})

	ln, err := net.Listen("tcp", listen)
	if err != nil {
		return fmt.Errorf("liveserver: listen %s: %w", listen, err)
	}
	cln, err := net.Listen("tcp", control)
	if err != nil {
		return fmt.Errorf("liveserver: listen %s: %w", control, err)
	}
	hs := &http.Server{Handler: srv, ReadHeaderTimeout: 10 * time.Second}
	cs := &http.Server{Handler: controls(dir), ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = hs.Serve(ln) }()
	go func() { _ = cs.Serve(cln) }()
	fmt.Printf("ws %s control %s\n", ln.Addr(), cln.Addr())

	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, os.Interrupt)
	defer stop()
	<-ctx.Done()
	sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	_ = hs.Shutdown(sctx)
	_ = cs.Shutdown(sctx)
	return srv.Shutdown(sctx)
}

// controls are the load generator's levers.
func controls(dir *presence.Directory) http.Handler {
	mux := http.NewServeMux()
	// Profiles of the server under load, for explaining its figures.
	mux.HandleFunc("GET /debug/pprof/", pprof.Index)
	mux.HandleFunc("GET /debug/pprof/profile", pprof.Profile)
	var mu sync.Mutex
	known := map[string]bool{}
	// POST /publish?jid=J changes J's presence; its status text carries the
	// publish time in Unix nanoseconds, which receivers subtract from theirs.
	mux.HandleFunc("POST /publish", func(w http.ResponseWriter, r *http.Request) {
		jid := r.URL.Query().Get("jid")
		mu.Lock()
		if !known[jid] {
			known[jid] = true
			if err := dir.SetRosterItem(jid, presence.RosterItem{Subscribed: true}); err != nil {
				mu.Unlock()
				http.Error(w, err.Error(), http.StatusInternalServerError)
				return
			}
		}
		mu.Unlock()
		dir.SetResource(jid, "bench", presence.Resource{Status: presence.Available,
			Message: "t=" + strconv.FormatInt(time.Now().UnixNano(), 10)})
		w.WriteHeader(http.StatusNoContent)
	})
	// POST /gc collects and returns free memory to the OS, as an idle
	// server's periodic GC (every two minutes at least) and scavenger
	// eventually do. Each cycle may halve the stacks of parked goroutines,
	// so a few cycles stand for a few idle minutes.
	mux.HandleFunc("POST /gc", func(w http.ResponseWriter, r *http.Request) {
		for range 3 {
			runtime.GC()
		}
		debug.FreeOSMemory()
		w.WriteHeader(http.StatusNoContent)
	})
	// GET /stats reports the Go runtime's view of memory.
	mux.HandleFunc("GET /stats", func(w http.ResponseWriter, r *http.Request) {
		var m runtime.MemStats
		runtime.ReadMemStats(&m)
		_ = json.NewEncoder(w).Encode(map[string]uint64{
			"goroutines": uint64(runtime.NumGoroutine()), "heap_inuse": m.HeapInuse,
			"stack_inuse": m.StackInuse, "sys": m.Sys,
		})
	})
	return mux
}

// memStore keeps records in memory: benchmarks persist nothing.
type memStore struct {
	mu   sync.Mutex
	recs map[string]presence.Record
}

func (m *memStore) Records() ([]presence.Record, error) { return nil, nil }

func (m *memStore) Write(batch []presence.Write) []error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.recs == nil {
		m.recs = map[string]presence.Record{}
	}
	for _, w := range batch {
		if w.Delete {
			delete(m.recs, w.Record.JID)
		} else {
			m.recs[w.Record.JID] = w.Record
		}
	}
	return nil
}
