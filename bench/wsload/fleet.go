package wsload

import (
	"context"
	"fmt"
	"net"
	"runtime"
	"sync"
	"sync/atomic"
	"time"
)

// Fleet is a set of clients, read by one epoll loop per processor.
type Fleet struct {
	loops []*loop
	stop  atomic.Bool
	wg    sync.WaitGroup
}

// Connect opens n clients to server, target(i) for the i-th, spread over
// sources local addresses, workers at a time. Each has read its first frame
// (the subscription's current value) when Connect returns; after that
// onFrame sees every text frame, from one of the fleet's loops, several of
// which may call it at once. batch is how long a loop sleeps after a
// wake-up that found frames (see loop.run; 0: none).
func Connect(ctx context.Context, server string, n, workers int, sources []net.IP,
	target func(i int) string, onFrame func(p []byte), batch time.Duration) (*Fleet, error) {
	raws := make([]*rawConn, n)
	var next atomic.Int64
	var firstErr error
	var errOnce sync.Once
	var dialers sync.WaitGroup
	for range workers {
		dialers.Go(func() {
			for {
				i := int(next.Add(1)) - 1
				if i >= n || ctx.Err() != nil {
					return
				}
				r, err := connect(ctx, sources[i%len(sources)], server, target(i), onFrame)
				if err != nil {
					errOnce.Do(func() { firstErr = fmt.Errorf("client %d: %w", i, err) })
					return
				}
				raws[i] = r
			}
		})
	}
	dialers.Wait()
	f := &Fleet{}
	if firstErr == nil {
		firstErr = ctx.Err()
	}
	if firstErr == nil {
		firstErr = f.start(raws, batch, onFrame)
	}
	if firstErr != nil {
		for _, r := range raws {
			if r != nil {
				r.close()
			}
		}
		f.Close()
		return nil, firstErr
	}
	return f, nil
}

// connect dials one client, reads its first frame and detaches its socket
// for the loops; frames that came along with the first go to onFrame.
func connect(ctx context.Context, local net.IP, server, target string, onFrame func([]byte)) (*rawConn, error) {
	c, err := Dial(ctx, local, server, target)
	if err != nil {
		return nil, err
	}
	if _, err := c.Next(make([]byte, 0, 512)); err != nil {
		c.Close()
		return nil, err
	}
	r, err := c.detach()
	if err != nil {
		c.Close()
		return nil, err
	}
	if tail, ok := r.frames(r.rest, onFrame); ok {
		r.rest = tail
	}
	return r, nil
}

// start spreads the connections over the loops and runs them. The loops
// take the connections over: Close closes them.
func (f *Fleet) start(raws []*rawConn, batch time.Duration, onFrame func([]byte)) error {
	for range runtime.GOMAXPROCS(0) {
		l, err := newLoop()
		if err != nil {
			return err
		}
		f.loops = append(f.loops, l)
	}
	for i, r := range raws {
		if err := f.loops[i%len(f.loops)].add(r); err != nil {
			return err
		}
		raws[i] = nil
	}
	for _, l := range f.loops {
		f.wg.Go(func() { l.run(f.stop.Load, batch, onFrame) })
	}
	return nil
}

// Close stops the loops and closes every client.
func (f *Fleet) Close() {
	f.stop.Store(true)
	f.wg.Wait()
	for _, l := range f.loops {
		l.close()
	}
	f.loops = nil
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
