package live

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/coder/websocket"

	"badges/presence"
)

// wsConn is one WebSocket client. One goroutine serves it for its whole
// life: the reader, which applies the client's frames. Hub values are
// written by the shared flushers (ws_flush.go); pings, a socket that fell
// behind and the closing handshake at Shutdown get short-lived goroutines
// of the connection's own, which it waits for before it ends. An idle
// connection thus holds one parked goroutine.
type wsConn struct {
	h      *Engine
	conn   *websocket.Conn
	wire   *wsWire
	sub    presence.Subscription
	timing wsTiming
	ping   *time.Timer

	// queued is set while the connection waits for a flusher or is being
	// written to (wake, idle).
	queued atomic.Bool
	// behind is set while catchUp writes: each of its writes has a
	// deadline, which tells a dead peer from a slow one.
	behind atomic.Bool

	mu    sync.Mutex // guards ended and adding to tasks
	ended bool
	tasks sync.WaitGroup // the goroutines of spawn
}

func newWSConn(h *Engine, conn *websocket.Conn, wire *wsWire) *wsConn {
	conn.SetReadLimit(wsMaxFrame) // larger frames close with 1009
	c := &wsConn{h: h, conn: conn, wire: wire, timing: h.timing}
	c.sub = h.hub.Subscribe(c.wake)
	return c
}

// spawn runs f on a goroutine that serve waits for; false: the connection
// has ended and f does not run.
func (c *wsConn) spawn(f func()) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.ended {
		return false
	}
	c.tasks.Go(f)
	return true
}

// goAway closes the connection with 1001 (Shutdown). The handshake waits
// for the peer, so it runs on a goroutine of its own; the reader ends when
// it is done.
func (c *wsConn) goAway() {
	c.spawn(func() { _ = c.conn.Close(websocket.StatusGoingAway, "server shutting down") })
}

// fail drops the connection after a failed write or ping. Closing the
// socket ends the reader, which cleans up; it never waits, so flushers may
// call it.
func (c *wsConn) fail(err error) {
	_ = c.wire.conn.Close()
	c.h.log.Debug("websocket dropped", "err", err)
}

// serve runs the connection until the peer leaves, a write or ping fails,
// or the server shuts down.
func (c *wsConn) serve(first wsRequest) {
	c.mu.Lock() // pingPeer reads c.ping under mu
	c.ping = time.AfterFunc(c.timing.pingPeriod, c.pingPeer)
	c.mu.Unlock()
	err := c.apply(first)
	if err == nil {
		err = c.readLoop()
	}
	c.mu.Lock()
	c.ended = true
	c.ping.Stop()
	c.mu.Unlock()
	_ = c.conn.CloseNow() // ends a ping or catch-up still writing
	c.tasks.Wait()
	c.sub.Close()
	if err != nil {
		c.h.log.Debug("websocket closed", "err", err)
	}
}

// pingPeer runs when the ping timer fires. A peer that does not answer
// within pongWait is dead and dropped. While the connection is behind, its
// write deadlines do that job; a ping would only queue behind the writes
// and, with the library's own 5 s bound on control frames, cut a slow
// peer's writeWait short.
func (c *wsConn) pingPeer() {
	c.spawn(func() {
		if !c.behind.Load() {
			ctx, cancel := context.WithTimeout(context.Background(), c.timing.pongWait)
			defer cancel()
			if err := c.conn.Ping(ctx); err != nil {
				c.fail(fmt.Errorf("live: websocket peer did not answer a ping: %w", err))
				return
			}
		}
		c.mu.Lock()
		if !c.ended {
			c.ping.Reset(c.timing.pingPeriod)
		}
		c.mu.Unlock()
	})
}

// readLoop applies the client's frames until the connection ends. A bad
// frame gets an error frame and the connection stays.
func (c *wsConn) readLoop() error {
	for {
		// No context: closing the connection is what ends a blocked read,
		// and a nil Done spares a timer per frame.
		typ, b, err := c.conn.Read(context.Background())
		if err != nil {
			return err
		}
		var req wsRequest
		if typ != websocket.MessageText {
			err = errors.New("bad frame: binary frames are not supported")
		} else {
			req, err = parseClientFrame(b)
		}
		if err != nil {
			err = c.write(errorFrame(err.Error()))
		} else {
			err = c.apply(req)
		}
		if err != nil {
			return err
		}
	}
}

// write sends frames that are not hub values (error frames, the values of
// hidden topics) from the reader, in order, within writeWait. Blocking
// here only holds up this client's own reading.
func (c *wsConn) write(payloads ...[]byte) error {
	var b []byte
	for _, p := range payloads {
		b = appendFrame(b, p)
	}
	c.wire.mu.Lock()
	defer c.wire.mu.Unlock()
	if c.wire.closed {
		return nil
	}
	return c.wire.writeLocked(b, c.timing.writeWait)
}

// apply follows or drops the request's topics. Under signed visibility a
// topic without a valid sig is answered once with the value of a JID that
// does not exist and never followed. Problems go back as one error frame.
func (c *wsConn) apply(req wsRequest) error {
	var follow []presence.Topic
	var frames [][]byte
	for i, t := range req.topics {
		if req.subscribe {
			if e, visible := c.h.vis.Read(t, req.sigs[i]); !visible {
				frames = append(frames, e.Frame)
				continue
			}
		}
		follow = append(follow, t)
	}
	errs := req.errs
	if !req.subscribe {
		c.sub.Remove(follow...)
	} else if err := c.sub.Add(wsMaxTopics, follow...); errors.Is(err, presence.ErrTooManyTopics) {
		errs = append(errs, fmt.Sprintf("%v: at most %d per connection", err, wsMaxTopics))
	}
	if len(errs) > 0 {
		frames = append(frames, errorFrame(errorSummary(errs)))
	}
	if len(frames) == 0 {
		return nil
	}
	return c.write(frames...)
}
