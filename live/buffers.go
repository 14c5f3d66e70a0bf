package live

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
// requests, so a small reader costs at most one extra syscall for a rare
// large one. The library writes only control frames (data frames go
// through wsWire), at most 2 + 125 bytes: the writer must hold one whole,
// so that each reaches wsWire.Write in one call.
const (
	wsReadBuffer  = 256
	wsWriteBuffer = 128
)

// smallBuffers hands the WebSocket library a hijacked connection with small
// buffers instead of net/http's, which then become garbage. The library's
// writes go through wire, which shares the socket with the data frames.
type smallBuffers struct {
	http.ResponseWriter
	wire *wsWire
}

// Unwrap lets response controllers reach the underlying writer.
func (w *smallBuffers) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// Hijack implements http.Hijacker.
func (w *smallBuffers) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	conn, brw, err := http.NewResponseController(w.ResponseWriter).Hijack()
	if err != nil {
		return nil, nil, fmt.Errorf("live: hijack: %w", err)
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
			return nil, nil, fmt.Errorf("live: hijack: carry buffered bytes: %w", err)
		}
	}
	w.wire.attach(conn)
	return conn, bufio.NewReadWriter(br, bufio.NewWriterSize(w.wire, wsWriteBuffer)), nil
}
