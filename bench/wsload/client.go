// Package wsload is the load generator of the live benchmarks: a minimal
// WebSocket client, small enough that tens of thousands of them fit in one
// process beside the numbers they measure.
package wsload

import (
	"bufio"
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"time"
)

// maxFrame bounds the frames a client accepts; the server's are far
// smaller.
const maxFrame = 1 << 20

// Client is one WebSocket connection. Only its owner goroutine calls Next.
type Client struct {
	conn net.Conn
	br   *bufio.Reader
}

// Dial opens a WebSocket to server (host:port) at target (path and query),
// from the local address local, within ctx.
func Dial(ctx context.Context, local net.IP, server, target string) (*Client, error) {
	d := net.Dialer{LocalAddr: &net.TCPAddr{IP: local}}
	conn, err := d.DialContext(ctx, "tcp", server)
	if err != nil {
		return nil, fmt.Errorf("wsload: dial %s from %s: %w", server, local, err)
	}
	if dl, ok := ctx.Deadline(); ok {
		_ = conn.SetDeadline(dl)
	}
	var key [16]byte
	_, _ = rand.Read(key[:])
	req := "GET " + target + " HTTP/1.1\r\nHost: " + server + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
		"Sec-WebSocket-Key: " + base64.StdEncoding.EncodeToString(key[:]) + "\r\nSec-WebSocket-Version: 13\r\n\r\n"
	if _, err := io.WriteString(conn, req); err != nil {
		conn.Close()
		return nil, fmt.Errorf("wsload: handshake: %w", err)
	}
	br := bufio.NewReaderSize(conn, 512)
	res, err := http.ReadResponse(br, nil)
	if err != nil {
		conn.Close()
		return nil, fmt.Errorf("wsload: handshake: %w", err)
	}
	if res.StatusCode != http.StatusSwitchingProtocols {
		conn.Close()
		return nil, fmt.Errorf("wsload: handshake: %s", res.Status)
	}
	_ = conn.SetDeadline(time.Time{})
	return &Client{conn: conn, br: br}, nil
}

// Close closes the connection.
func (c *Client) Close() error { return c.conn.Close() }

// Next returns the payload of the next text frame, answering pings on the
// way. The payload is valid until the next call.
func (c *Client) Next(buf []byte) ([]byte, error) {
	for {
		var h [2]byte
		if _, err := io.ReadFull(c.br, h[:]); err != nil {
			return nil, err
		}
		op := h[0] & 0x0f
		n := uint64(h[1] & 0x7f)
		switch n {
		case 126:
			var b [2]byte
			if _, err := io.ReadFull(c.br, b[:]); err != nil {
				return nil, err
			}
			n = uint64(binary.BigEndian.Uint16(b[:]))
		case 127:
			var b [8]byte
			if _, err := io.ReadFull(c.br, b[:]); err != nil {
				return nil, err
			}
			n = binary.BigEndian.Uint64(b[:])
		}
		if n > maxFrame {
			return nil, errors.New("wsload: frame over 1 MiB")
		}
		if uint64(cap(buf)) < n {
			buf = make([]byte, n)
		}
		p := buf[:n]
		if _, err := io.ReadFull(c.br, p); err != nil {
			return nil, err
		}
		switch op {
		case 0x1:
			return p, nil
		case 0x8:
			return nil, io.EOF
		case 0x9:
			if err := c.control(0xA, p); err != nil {
				return nil, err
			}
		}
	}
}

// control writes a masked control frame (clients must mask; a zero key
// leaves the payload as it is).
func (c *Client) control(op byte, p []byte) error {
	f := append([]byte{0x80 | op, 0x80 | byte(len(p)), 0, 0, 0, 0}, p...)
	_ = c.conn.SetWriteDeadline(time.Now().Add(10 * time.Second))
	_, err := c.conn.Write(f)
	return err
}
