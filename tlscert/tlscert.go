// Package tlscert holds the server's certificate for -tls-cert and
// -tls-key (docs/API.md#deployment): handshakes read it through
// tls.Config.GetCertificate, and Reload swaps in new files atomically, so
// that a renewed certificate takes effect without dropping a connection.
// A file that does not load leaves the certificate in use as it was.
package tlscert

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"sync/atomic"
)

// Holder is the certificate in use and the files it came from. Safe for
// concurrent use.
type Holder struct {
	certFile, keyFile string
	cur               atomic.Pointer[tls.Certificate]
}

// Load reads a PEM certificate chain and its key.
func Load(certFile, keyFile string) (*Holder, error) {
	h := &Holder{certFile: certFile, keyFile: keyFile}
	if err := h.Reload(); err != nil {
		return nil, err
	}
	return h, nil
}

// Reload reads the files again and, when they hold a certificate and its
// matching key, uses them for every handshake from then on. On error the
// certificate in use stays.
func (h *Holder) Reload() error {
	c, err := tls.LoadX509KeyPair(h.certFile, h.keyFile)
	if err != nil {
		return fmt.Errorf("tls: load %s and %s: %w", h.certFile, h.keyFile, err)
	}
	if len(c.Certificate) == 0 {
		return fmt.Errorf("tls: %s: %w", h.certFile, errors.New("no certificate"))
	}
	leaf, err := x509.ParseCertificate(c.Certificate[0])
	if err != nil {
		return fmt.Errorf("tls: %s: %w", h.certFile, err)
	}
	c.Leaf = leaf
	h.cur.Store(&c)
	return nil
}

// Leaf is the certificate in use, parsed.
func (h *Holder) Leaf() *x509.Certificate { return h.cur.Load().Leaf }

// GetCertificate is tls.Config.GetCertificate.
func (h *Holder) GetCertificate(*tls.ClientHelloInfo) (*tls.Certificate, error) {
	return h.cur.Load(), nil
}

// Config is a server configuration over the held certificate: TLS 1.2 at
// least, HTTP/2 and HTTP/1.1 offered by ALPN (WebSockets upgrade over
// HTTP/1.1).
func (h *Holder) Config() *tls.Config {
	return &tls.Config{
		MinVersion:     tls.VersionTLS12,
		GetCertificate: h.GetCertificate,
		NextProtos:     []string{"h2", "http/1.1"},
	}
}
