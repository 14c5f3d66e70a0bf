package wsload

import (
	"context"
	"fmt"
	"net"
	"sync"
	"sync/atomic"
)

// Fleet is a set of clients, each read by its own goroutine.
type Fleet struct {
	clients []*Client
	wg      sync.WaitGroup
}

// Connect opens n clients to server, target(i) for the i-th, spread over
// sources local addresses, workers at a time. Each has read its first frame
// (the subscription's current value) when Connect returns; after that
// onFrame sees every frame, from the client's own goroutine.
func Connect(ctx context.Context, server string, n, workers int, sources []net.IP,
	target func(i int) string, onFrame func(p []byte)) (*Fleet, error) {
	f := &Fleet{clients: make([]*Client, n)}
	var next atomic.Int64
	var firstErr error
	var errOnce sync.Once
	var dialers sync.WaitGroup
	for range workers {
		dialers.Add(1)
		go func() {
			defer dialers.Done()
			for {
				i := int(next.Add(1)) - 1
				if i >= n || ctx.Err() != nil {
					return
				}
				c, err := Dial(ctx, sources[i%len(sources)], server, target(i))
				if err == nil {
					buf := make([]byte, 0, 512)
					_, err = c.Next(buf)
				}
				if err != nil {
					errOnce.Do(func() { firstErr = fmt.Errorf("client %d: %w", i, err) })
					if c != nil {
						c.Close()
					}
					return
				}
				f.clients[i] = c
				f.wg.Add(1)
				go func() {
					defer f.wg.Done()
					buf := make([]byte, 0, 512)
					for {
						p, err := c.Next(buf)
						if err != nil {
							return
						}
						onFrame(p)
					}
				}()
			}
		}()
	}
	dialers.Wait()
	if firstErr != nil {
		f.Close()
		return nil, firstErr
	}
	return f, ctx.Err()
}

// Close closes every client and waits for their goroutines.
func (f *Fleet) Close() {
	for _, c := range f.clients {
		if c != nil {
			c.Close()
		}
	}
	f.wg.Wait()
}

// Sources returns the loopback addresses 127.0.0.2 .. 127.0.0.(n+1): each
// offers its own range of ephemeral ports.
func Sources(n int) []net.IP {
	out := make([]net.IP, n)
	for i := range out {
		out[i] = net.IPv4(127, 0, 0, byte(i+2))
	}
	return out
}
