package cluster

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"strconv"
	"time"

	"github.com/redis/go-redis/v9"
)

// term is one holding of the lease.
type term struct {
	fence   int64
	renewed time.Time // when the last successful renewal was sent
	stop    context.CancelFunc
	done    chan struct{} // closed when the watcher has stopped
}

func newToken() string {
	b := make([]byte, 16)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// runLease holds the watcher's lease or waits for it. While holding it,
// the node renews it every quarter of the TTL and steps down (stops the
// watcher) once three quarters of the TTL passed without a renewal, before
// any other replica can have the lease: a renewal waits at most until then,
// and so does the wait for the next one. A pause (SIGSTOP) counts, since
// time.Since reads the monotonic clock. A write refused for an old fence
// steps down at once.
func (n *Node) runLease(ctx context.Context) {
	every := n.ttl / 4
	var cur *term
	defer func() {
		if cur != nil {
			n.stepDown(cur, "shutting down")
		}
	}()
	// left is how long the lease is this replica's for sure.
	left := func() time.Duration { return n.ttl*3/4 - time.Since(cur.renewed) }
	for {
		wait := every
		if cur != nil {
			wait = max(min(wait, left()), 0)
		}
		select {
		case <-ctx.Done():
			return
		case <-n.fenced:
			if cur != nil {
				n.stepDown(cur, "a write was fenced off")
				cur = nil
			}
			continue
		case <-time.After(wait):
		}
		if cur == nil {
			if n.watcher != nil {
				cur = n.tryLead(ctx)
			}
			continue
		}
		remain := left()
		if remain <= 0 {
			n.stepDown(cur, "lease not renewed in time")
			cur = nil
			continue
		}
		sent := time.Now()
		ok, err := n.renew(ctx, min(remain, ioTimeout))
		switch {
		case err != nil:
			n.log.Warn("renewing the watcher's lease", "err", err)
		case !ok:
			n.stepDown(cur, "lease taken by another replica")
			cur = nil
		default:
			cur.renewed = sent
			n.markSynced(ctx, min(left(), ioTimeout))
		}
	}
}

// tryLead takes the lease if it is free and starts the watcher under it.
func (n *Node) tryLead(ctx context.Context) *term {
	select {
	case <-n.fenced: // refused in an earlier term: says nothing of the next
	default:
	}
	sent := time.Now()
	cctx, cancel := context.WithTimeout(ctx, ioTimeout)
	fence, err := acquireScript.Run(cctx, n.rdb, []string{keyLease, keyFence}, n.token, n.ttl.Milliseconds()).Int64()
	cancel()
	if err != nil || fence == 0 {
		return nil
	}
	// The previous holder's synced session ended about when it stopped
	// marking it: the stale clock counts from then.
	var lostAt time.Time
	cctx, cancel = context.WithTimeout(ctx, ioTimeout)
	ms, err := n.rdb.Get(cctx, keySynced).Int64()
	cancel()
	if err == nil {
		lostAt = time.UnixMilli(ms)
	} else if !errors.Is(err, redis.Nil) {
		n.log.Warn("reading the last synced time", "err", err)
	}
	n.store.fence.Store(fence)
	n.dir.Lead(lostAt)
	wctx, stop := context.WithCancel(ctx)
	t := &term{fence: fence, renewed: sent, stop: stop, done: make(chan struct{})}
	go func() {
		defer close(t.done)
		if err := n.watcher.Run(wctx); err != nil && !errors.Is(err, context.Canceled) {
			n.log.Error("xmpp watcher stopped", "err", err)
		}
	}()
	n.leader.Store(true)
	n.log.Info("holding the watcher's lease", "fence", fence)
	return t
}

// renew extends the lease, waiting at most timeout for Redis.
func (n *Node) renew(ctx context.Context, timeout time.Duration) (bool, error) {
	cctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	v, err := renewScript.Run(cctx, n.rdb, []string{keyLease}, n.token, n.ttl.Milliseconds()).Int64()
	return v == 1, err
}

// markSynced records, while this replica's watcher is synced, that its
// session is live now; a successor's stale clock counts from the last mark.
func (n *Node) markSynced(ctx context.Context, timeout time.Duration) {
	if !n.dir.Stats().Synced {
		return
	}
	cctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	if err := n.rdb.Set(cctx, keySynced, strconv.FormatInt(time.Now().UnixMilli(), 10), 0).Err(); err != nil {
		n.log.Warn("marking the watcher synced", "err", err)
	}
}

// stepDown stops the watcher, drops what it knew and gives the lease up
// if this replica still holds it.
func (n *Node) stepDown(t *term, why string) {
	n.log.Warn("giving up the watcher", "reason", why, "fence", t.fence)
	n.store.fence.Store(0)
	n.leader.Store(false)
	t.stop()
	<-t.done
	n.dir.StepDown()
	ctx, cancel := context.WithTimeout(context.Background(), ioTimeout)
	defer cancel()
	_ = releaseScript.Run(ctx, n.rdb, []string{keyLease}, n.token).Err()
}
