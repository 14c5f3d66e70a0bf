package web

import (
	"context"
	"errors"
	"fmt"
	"net"
	"sync"
	"sync/atomic"
	"time"

	"github.com/coder/websocket"

	"badges/presence"
)

// wsConn is one WebSocket client. Two goroutines serve it: a writer (hub
// values, pings, the close) and a reader, which applies the client's
// frames. No other goroutine or buffer is kept per connection, so an idle
// one costs little.
type wsConn struct {
	s      *Server
	conn   *websocket.Conn
	raw    net.Conn // for write deadlines
	sub    *presence.Subscriber
	timing wsTiming

	// quit ends the writer: closed when the reader ends or at Shutdown.
	// Each connection has its own, so that waking a writer locks no
	// channel that thousands of others wait on too.
	quit      chan struct{}
	quitOnce  sync.Once
	goingAway atomic.Bool // quit came from Shutdown: close with 1001
	reading   sync.WaitGroup
}

func newWSConn(s *Server, conn *websocket.Conn, raw net.Conn) *wsConn {
	conn.SetReadLimit(wsMaxFrame) // larger frames close with 1009
	return &wsConn{s: s, conn: conn, raw: raw, sub: s.hub.Subscribe(), timing: s.ws.timing,
		quit: make(chan struct{})}
}

// stop ends the writer; shutdown says to close with 1001.
func (c *wsConn) stop(shutdown bool) {
	if shutdown {
		c.goingAway.Store(true)
	}
	c.quitOnce.Do(func() { close(c.quit) })
}

// serve runs the connection until the peer leaves, a write or ping fails,
// or the server shuts down; it returns once the reader has ended too.
func (c *wsConn) serve(first wsRequest) {
	c.reading.Add(1)
	go c.readLoop()
	err := c.writeLoop(first)
	if c.goingAway.Load() {
		c.setWriteDeadline()
		_ = c.conn.Close(websocket.StatusGoingAway, "server shutting down")
	} else {
		_ = c.conn.CloseNow()
	}
	c.reading.Wait()
	c.sub.Close()
	if err != nil {
		c.s.log.Debug("websocket closed", "err", err)
	}
}

// writeLoop delivers every dirty topic's latest value and pings, until
// quit or a failed write.
func (c *wsConn) writeLoop(first wsRequest) error {
	if err := c.apply(first); err != nil {
		return err
	}
	ping := time.NewTicker(c.timing.pingPeriod)
	defer ping.Stop()
	for {
		select {
		case <-c.sub.C():
			if err := c.flush(); err != nil {
				return err
			}
		case <-ping.C:
			if err := c.ping(); err != nil {
				return err
			}
		case <-c.quit:
			return nil
		}
	}
}

// flush writes the latest value of every dirty topic: the shared bytes
// each version was encoded to once.
func (c *wsConn) flush() error {
	entries := c.sub.Take()
	if len(entries) == 0 {
		return nil
	}
	frames := make([][]byte, len(entries))
	for i, e := range entries {
		frames[i] = e.Frame
	}
	return c.write(frames...)
}

// write sends frames in order within one write deadline. A failed write
// ends the connection, and with it the reader.
func (c *wsConn) write(frames ...[]byte) error {
	c.setWriteDeadline()
	for _, f := range frames {
		// The deadline is on the socket: a context without Done spares the
		// library a timer and an AfterFunc per frame.
		if err := c.conn.Write(context.Background(), websocket.MessageText, f); err != nil {
			return fmt.Errorf("web: websocket write: %w", err)
		}
	}
	return nil
}

// setWriteDeadline bounds the writes that follow. Every path that writes
// (frames, pings, the close) sets it first, so an old deadline never
// cuts a later write short.
func (c *wsConn) setWriteDeadline() {
	_ = c.raw.SetWriteDeadline(time.Now().Add(c.timing.writeWait))
}

// ping fails when the peer does not answer within pongWait: it is dead.
func (c *wsConn) ping() error {
	c.setWriteDeadline()
	ctx, cancel := context.WithTimeout(context.Background(), c.timing.pongWait)
	defer cancel()
	if err := c.conn.Ping(ctx); err != nil {
		return fmt.Errorf("web: websocket peer did not answer a ping: %w", err)
	}
	return nil
}

// readLoop applies the client's frames until the connection ends. A bad
// frame gets an error frame and the connection stays.
func (c *wsConn) readLoop() {
	defer c.reading.Done()
	defer c.stop(false)
	for {
		// No context: closing the connection is what ends a blocked read,
		// and a nil Done spares a timer per frame.
		typ, b, err := c.conn.Read(context.Background())
		if err != nil {
			return
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
			return
		}
	}
}

// apply follows or drops the request's topics. Under signed visibility a
// topic without a valid sig is answered once with the value of a JID that
// does not exist and never followed. Problems go back as one error frame.
func (c *wsConn) apply(req wsRequest) error {
	var follow []presence.Topic
	var frames [][]byte
	for i, t := range req.topics {
		if req.subscribe && c.s.verify != nil && !c.s.verify(t, req.sigs[i]) {
			frames = append(frames, hiddenEntry(t).Frame)
			continue
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
