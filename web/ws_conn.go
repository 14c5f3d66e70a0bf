package web

import (
	"context"
	"errors"
	"fmt"
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
	sub    *presence.Subscriber
	timing wsTiming
}

func newWSConn(s *Server, conn *websocket.Conn) *wsConn {
	conn.SetReadLimit(wsMaxFrame) // larger frames close with 1009
	return &wsConn{s: s, conn: conn, sub: s.hub.Subscribe(), timing: s.ws.timing}
}

// serve runs the connection until the peer leaves, a write or ping fails,
// or the server shuts down; it returns once the reader has ended too.
func (c *wsConn) serve(first wsRequest) {
	readDone := make(chan struct{})
	go c.readLoop(readDone)
	shutdown, err := c.writeLoop(first, readDone)
	if shutdown {
		_ = c.conn.Close(websocket.StatusGoingAway, "server shutting down")
	} else {
		_ = c.conn.CloseNow()
	}
	<-readDone
	c.sub.Close()
	if err != nil {
		c.s.log.Debug("websocket closed", "err", err)
	}
}

// writeLoop delivers every dirty topic's latest value and pings. It
// reports whether it stopped for a shutdown.
func (c *wsConn) writeLoop(first wsRequest, readDone <-chan struct{}) (shutdown bool, err error) {
	if err := c.apply(first); err != nil {
		return false, err
	}
	ping := time.NewTicker(c.timing.pingPeriod)
	defer ping.Stop()
	for {
		select {
		case <-c.sub.C():
			if err := c.flush(); err != nil {
				return false, err
			}
		case <-ping.C:
			if err := c.ping(); err != nil {
				return false, err
			}
		case <-readDone:
			return false, nil
		case <-c.s.ws.done:
			return true, nil
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

// write sends frames in order within one write deadline. A timeout closes
// the connection, which also ends the reader.
func (c *wsConn) write(frames ...[]byte) error {
	ctx, cancel := context.WithTimeout(context.Background(), c.timing.writeWait)
	defer cancel()
	for _, f := range frames {
		if err := c.conn.Write(ctx, websocket.MessageText, f); err != nil {
			return fmt.Errorf("web: websocket write: %w", err)
		}
	}
	return nil
}

// ping fails when the peer does not answer within pongWait: it is dead.
func (c *wsConn) ping() error {
	ctx, cancel := context.WithTimeout(context.Background(), c.timing.pongWait)
	defer cancel()
	if err := c.conn.Ping(ctx); err != nil {
		return fmt.Errorf("web: websocket peer did not answer a ping: %w", err)
	}
	return nil
}

// readLoop applies the client's frames until the connection ends. A bad
// frame gets an error frame and the connection stays.
func (c *wsConn) readLoop(done chan<- struct{}) {
	defer close(done)
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
