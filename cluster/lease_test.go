package cluster

import (
	"context"
	"syscall"
	"testing"
	"time"

	"badges/internal/testenv"
	"badges/presence"
)

// idleWatcher stands in for the XMPP watcher: it runs until stopped.
type idleWatcher struct{}

func (idleWatcher) Run(ctx context.Context) error { <-ctx.Done(); return ctx.Err() }

// A holder whose renewals hang (Redis paused) steps down before the lease
// can run out in Redis, so that no other replica's watcher overlaps it.
func TestLeaseHolderStepsDownBeforeTheLeaseRunsOut(t *testing.T) {
	r := testenv.StartRedis(t)
	rdb, err := Connect(r.URL)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { rdb.Close() })
	hub := presence.NewMemHub()
	store := NewStore(rdb)
	dir, err := presence.NewDirectory(hub, store, presence.DirectoryOptions{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(dir.Close)
	const ttl = 2 * time.Second
	node := NewNode(NodeOptions{Client: rdb, Store: store, Directory: dir, Hub: hub, Watcher: idleWatcher{}, LeaseTTL: ttl})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); node.Run(ctx) }()
	t.Cleanup(func() { cancel(); <-done })
	waitFor(t, 10*time.Second, "leader", node.Leader)
	// Let a renewal or two pass, so that one may be in flight.
	time.Sleep(ttl / 2)

	pid := r.PID()
	if err := syscall.Kill(pid, syscall.SIGSTOP); err != nil {
		t.Fatal(err)
	}
	paused := time.Now()
	t.Cleanup(func() { syscall.Kill(pid, syscall.SIGCONT) })
	// The last renewal Redis acknowledged was sent before the pause, so
	// the lease it holds runs out before paused+ttl.
	for node.Leader() {
		if time.Since(paused) >= ttl {
			t.Fatalf("still the leader %v after Redis paused: the lease (ttl %v) may be another replica's", time.Since(paused), ttl)
		}
		time.Sleep(5 * time.Millisecond)
	}
	t.Logf("stepped down %v after Redis paused", time.Since(paused))
	syscall.Kill(pid, syscall.SIGCONT)
}
