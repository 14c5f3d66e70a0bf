// Command bareserver is the ceiling of the HTTP comparison: a bare
// net/http handler that answers every request with the bytes and headers
// it fetched once, at start, from a URL (a badge of the badges server under
// test). Whatever badges spends beyond this is routing, middleware and
// rendering. Only for benchmarks.
//
//	bareserver -from http://127.0.0.1:8080/badge/alice@example.com.svg
//
// It prints "listening ADDR" once it listens, and stops on SIGTERM.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"
)

// The http.Server settings of cmd/badges, so that both servers handle
// connections alike (the idle timeout, for one, re-arms a deadline per
// request) and only the handlers differ.
const (
	readHeaderTimeout = 5 * time.Second
	idleTimeout       = 120 * time.Second
	maxHeaderBytes    = 64 << 10
)

func main() {
	listen := flag.String("listen", "127.0.0.1:0", "address to listen on")
	from := flag.String("from", "", "URL whose answer to serve")
	flag.Parse()
	if err := run(*listen, *from); err != nil {
		log.Fatal(err)
	}
}

func run(listen, from string) error {
	body, hdr, err := fetch(from)
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", listen)
	if err != nil {
		return fmt.Errorf("bareserver: listen %s: %w", listen, err)
	}
	// The handler reads the body, as a handler of writes must, and sets
	// each header as an ordinary handler would.
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if _, err := io.Copy(io.Discard, r.Body); err != nil {
			http.Error(w, "body: "+err.Error(), http.StatusBadRequest)
			return
		}
		wh := w.Header()
		for k, v := range hdr {
			wh.Set(k, v)
		}
		_, _ = w.Write(body)
	})
	srv := &http.Server{Handler: h, ReadHeaderTimeout: readHeaderTimeout, IdleTimeout: idleTimeout,
		MaxHeaderBytes: maxHeaderBytes}
	go func() { _ = srv.Serve(ln) }()
	fmt.Printf("listening %s\n", ln.Addr())

	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, os.Interrupt)
	defer stop()
	<-ctx.Done()
	sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	return srv.Shutdown(sctx)
}

// fetch returns the answer's body and its headers, less those net/http
// writes by itself.
func fetch(url string) ([]byte, map[string]string, error) {
	client := &http.Client{Timeout: 10 * time.Second}
	res, err := client.Get(url)
	if err != nil {
		return nil, nil, fmt.Errorf("bareserver: %w", err)
	}
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	if err != nil {
		return nil, nil, fmt.Errorf("bareserver: read %s: %w", url, err)
	}
	if res.StatusCode != http.StatusOK {
		return nil, nil, fmt.Errorf("bareserver: %s: %s", url, res.Status)
	}
	hdr := map[string]string{}
	for k := range res.Header {
		switch k {
		case "Date", "Content-Length":
		default:
			hdr[k] = res.Header.Get(k)
		}
	}
	return body, hdr, nil
}
