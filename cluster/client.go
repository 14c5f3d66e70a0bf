package cluster

import (
	"fmt"
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

// Connect opens a client for the -redis URL: redis://[user:password@]host:port/db
// or rediss:// for TLS. With ?master_name=NAME the host (and each addr=host:port
// parameter) is a Sentinel, and the client follows the master it names
// (go-redis's failover client, one of its universal clients); the other
// parameters are go-redis's URL options.
func Connect(rawURL string) (redis.UniversalClient, error) {
	u, err := url.Parse(rawURL)
	if err != nil {
		return nil, fmt.Errorf("redis url: %w", err)
	}
	if u.Query().Get("master_name") != "" {
		o, err := redis.ParseFailoverURL(rawURL)
		if err != nil {
			return nil, fmt.Errorf("redis url: %w", err)
		}
		o.DialTimeout, o.ReadTimeout, o.WriteTimeout = dialTimeout, ioTimeout, ioTimeout
		o.MaxRetries = -1 // no blind retry: the caller answers 503 and the client tries again
		return redis.NewFailoverClient(o), nil
	}
	o, err := redis.ParseURL(rawURL)
	if err != nil {
		return nil, fmt.Errorf("redis url: %w", err)
	}
	o.DialTimeout, o.ReadTimeout, o.WriteTimeout = dialTimeout, ioTimeout, ioTimeout
	o.MaxRetries = -1 // no blind retry: the caller answers 503 and the client tries again
	return redis.NewClient(o), nil
}
