package web

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"net"
	"net/http"
)

// Buffer sizes of an upgraded connection. net/http hands a hijacker a 4 KiB
// reader and a fresh 4 KiB writer; at 15,000 idle connections those 8 KiB
// would be most of a connection's memory. Client frames are small subscribe
// requests and server frames a few hundred bytes, so small buffers cost at
// most one extra syscall for a rare large frame.
const (
	wsReadBuffer  = 256
	wsWriteBuffer = 512
)

// smallBuffers hands the WebSocket library a hijacked connection with small
// buffers instead of net/http's, which then become garbage. It keeps the
// connection, whose write deadline is cheaper to set than a context timer.
type smallBuffers struct {
	http.ResponseWriter
	conn net.Conn
}

// Unwrap lets response controllers reach the underlying writer.
func (w *smallBuffers) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// Hijack implements http.Hijacker.
func (w *smallBuffers) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	conn, brw, err := http.NewResponseController(w.ResponseWriter).Hijack()
	if err != nil {
		return nil, nil, fmt.Errorf("web: hijack: %w", err)
	}
	// Bytes the client sent right behind its handshake sit in net/http's
	// reader. Carry them over, buffered, so that the library finds them
	// where it looks for them.
	early := brw.Reader.Buffered()
	var src io.Reader = conn
	if early > 0 {
		b, _ := brw.Reader.Peek(early)
		src = io.MultiReader(bytes.NewReader(bytes.Clone(b)), conn)
	}
	br := bufio.NewReaderSize(src, max(wsReadBuffer, early))
	if early > 0 {
		if _, err := br.Peek(early); err != nil {
			conn.Close()
			return nil, nil, fmt.Errorf("web: hijack: carry buffered bytes: %w", err)
		}
	}
	w.conn = conn
	return conn, bufio.NewReadWriter(br, bufio.NewWriterSize(conn, wsWriteBuffer)), nil
}
