package cluster

import (
	"errors"
	"net/url"
	"time"

	"github.com/redis/go-redis/v9"
)

// Timeouts of every Redis command. A write waits at most this long before
// it answers 503, and an outage is noticed within it; a healthy Redis on the
// same network answers in well under a millisecond.
const (
	dialTimeout = 2 * time.Second
	ioTimeout   = 2 * time.Second
)

// errBadURL is every parse error of the -redis URL: the parsers' own
// errors may quote the URL, password included, into logs.
var errBadURL = errors.New("redis url: not of the form redis://[user:password@]host:port/db (the URL is not shown: it may hold a password)")

// Connect opens a client for the -redis URL: redis://[user:password@]host:port/db
// or rediss:// for TLS. With ?master_name=NAME the host (and each addr=host:port
// parameter) is a Sentinel, and the client follows the master it names
// (go-redis's failover client, one of its universal clients); the other
// parameters are go-redis's URL options.
func Connect(rawURL string) (redis.UniversalClient, error) {
	u, err := url.Parse(rawURL)
	if err != nil {
		return nil, errBadURL
	}
	if u.Query().Get("master_name") != "" {
		o, err := redis.ParseFailoverURL(rawURL)
		if err != nil {
			return nil, errBadURL
		}
		bound(&o.DialTimeout, &o.ReadTimeout, &o.WriteTimeout, &o.MaxRetries, &o.ContextTimeoutEnabled)
		return redis.NewFailoverClient(o), nil
	}
	o, err := redis.ParseURL(rawURL)
	if err != nil {
		return nil, errBadURL
	}
	bound(&o.DialTimeout, &o.ReadTimeout, &o.WriteTimeout, &o.MaxRetries, &o.ContextTimeoutEnabled)
	return redis.NewClient(o), nil
}

// bound sets a client's timeouts and retries, whichever kind it is.
func bound(dial, read, write *time.Duration, retries *int, ctxTimeout *bool) {
	*dial, *read, *write = dialTimeout, ioTimeout, ioTimeout
	*retries = -1 // no blind retry: the caller answers 503 and the client tries again
	// A caller's shorter deadline (the lease's renewal) is kept too.
	*ctxTimeout = true
}
