package cluster

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"badges/internal/testenv"
	"badges/presence"
)

// testClaim is the replicas' expiry claim: short, so that proving no
// second expiry takes a second or two.
const testClaim = time.Second

// replica is one in-process replica: its hub, directory and node.
type replica struct {
	hub   *presence.MemHub
	dir   *presence.Directory
	store *Store
	node  *Node
	rdb   redis.UniversalClient
}

func startReplica(t *testing.T, r *testenv.Redis) *replica {
	t.Helper()
	rdb, err := Connect(r.URL)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { rdb.Close() })
	rp := &replica{hub: presence.NewMemHub(), store: NewStore(rdb), rdb: rdb}
	rp.dir, err = presence.NewDirectory(rp.hub, rp.store, presence.DirectoryOptions{ShowMessages: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(rp.dir.Close)
	rp.node = NewNode(NodeOptions{Client: rdb, Store: rp.store, Directory: rp.dir, Hub: rp.hub, LeaseTTL: 2 * time.Second, ExpiryClaim: testClaim})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); rp.node.Run(ctx) }()
	t.Cleanup(func() { cancel(); <-done })
	waitFor(t, 10*time.Second, "replica ready", func() bool { return rp.node.Ready() == "" })
	return rp
}

func waitFor(t *testing.T, d time.Duration, what string, ok func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !ok() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func status(rp *replica, jid string) presence.Status {
	return rp.hub.Get(presence.JIDTopic(jid)).Presence.Status
}

func TestWriteOnOneReplicaShowsOnAnother(t *testing.T) {
	r := testenv.StartRedis(t)
	a, b := startReplica(t, r), startReplica(t, r)
	const jid = "alice@example.com"
	if _, err := a.dir.SetHTTP(jid, presence.Away, "lunch", time.Minute); err != nil {
		t.Fatal(err)
	}
	waitFor(t, 5*time.Second, "away on b", func() bool { return status(b, jid) == presence.Away })
	if got := b.hub.Get(presence.JIDTopic(jid)); string(got.JSON) != string(a.hub.Get(presence.JIDTopic(jid)).JSON) {
		t.Fatalf("replicas disagree:\n a %s\n b %s", a.hub.Get(presence.JIDTopic(jid)).JSON, got.JSON)
	}
	if _, err := b.dir.ClearHTTP(jid); err != nil {
		t.Fatal(err)
	}
	waitFor(t, 5*time.Second, "offline on a", func() bool { return status(a, jid) == presence.Offline })

	// A replica started later loads what is there.
	c := startReplica(t, r)
	if got := status(c, jid); got != presence.Offline {
		t.Fatalf("late replica shows %s, want offline", got)
	}
}

func TestConcurrentWritesConvergeToTheLastAcknowledged(t *testing.T) {
	r := testenv.StartRedis(t)
	reps := []*replica{startReplica(t, r), startReplica(t, r), startReplica(t, r)}
	const jid = "bob@example.com"
	statuses := []presence.Status{presence.Available, presence.Away, presence.DND, presence.XA, presence.Chat}
	var mu sync.Mutex
	var last string // message of the write acknowledged last, by version
	var lastV uint64
	var wg sync.WaitGroup
	for i, rp := range reps {
		wg.Go(func() {
			for k := range 40 {
				msg := fmt.Sprintf("r%d-%d", i, k)
				if _, err := rp.dir.SetHTTP(jid, statuses[(i+k)%len(statuses)], msg, time.Minute); err != nil {
					t.Error(err)
					return
				}
				rec, _ := rp.dir.Record(jid)
				mu.Lock()
				if rec.Version > lastV && rec.HTTP != nil && rec.HTTP.Message == msg {
					lastV, last = rec.Version, msg
				}
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	// The record with the highest version is the last write Redis took.
	stored, err := reps[0].store.load(context.Background(), jid)
	if err != nil {
		t.Fatal(err)
	}
	if stored.Record.HTTP.Message != last || stored.Record.Version != lastV {
		t.Fatalf("stored %q v%d, last acknowledged %q v%d", stored.Record.HTTP.Message, stored.Record.Version, last, lastV)
	}
	for i, rp := range reps {
		waitFor(t, 5*time.Second, fmt.Sprintf("replica %d converged", i), func() bool {
			return rp.hub.Get(presence.JIDTopic(jid)).Presence.Message == last
		})
	}
}

func TestExpiryHappensOnceAcrossReplicas(t *testing.T) {
	r := testenv.StartRedis(t)
	a, b := startReplica(t, r), startReplica(t, r)
	_ = b
	const jid = "carol@example.com"
	watch, err := Connect(r.URL)
	if err != nil {
		t.Fatal(err)
	}
	defer watch.Close()
	ps := watch.Subscribe(context.Background(), chanNotices)
	defer ps.Close()
	if _, err := ps.Receive(context.Background()); err != nil {
		t.Fatal(err)
	}
	if _, err := a.dir.SetHTTP(jid, presence.Available, "", time.Second); err != nil {
		t.Fatal(err)
	}
	waitFor(t, 5*time.Second, "offline on both", func() bool {
		return status(a, jid) == presence.Offline && status(b, jid) == presence.Offline
	})
	time.Sleep(testClaim + time.Second) // a second claim would come due by now
	writes := 0
	for {
		ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
		m, err := ps.ReceiveMessage(ctx)
		cancel()
		if err != nil {
			break
		}
		if n, _ := decodeNotice(m.Payload); n.N == jid {
			writes++
		}
	}
	if writes != 2 { // the write, then one expiry
		t.Fatalf("%d notices for %s, want 2 (write, expiry)", writes, jid)
	}
}

func TestFencedWriteIsRefused(t *testing.T) {
	r := testenv.StartRedis(t)
	a := startReplica(t, r)
	rdb := a.rdb
	if err := rdb.Set(context.Background(), keyFence, 7, 0).Err(); err != nil {
		t.Fatal(err)
	}
	a.store.fence.Store(6) // a holder from before the current one
	err := a.store.SetRoom("room@muc.example.com", 3)
	if !errors.Is(err, presence.ErrFenced) {
		t.Fatalf("SetRoom with an old fence: %v, want ErrFenced", err)
	}
	a.store.fence.Store(7)
	if err := a.store.SetRoom("room@muc.example.com", 3); err != nil {
		t.Fatal(err)
	}
	waitFor(t, 5*time.Second, "room shown", func() bool {
		return a.hub.Get(presence.RoomTopic("room@muc.example.com")).Room.Occupants == 3
	})
}

func TestOutageRefusesWritesAndRecovers(t *testing.T) {
	r := testenv.StartRedis(t)
	a, b := startReplica(t, r), startReplica(t, r)
	const jid = "dave@example.com"
	if _, err := a.dir.SetHTTP(jid, presence.DND, "", time.Minute); err != nil {
		t.Fatal(err)
	}
	waitFor(t, 5*time.Second, "dnd on b", func() bool { return status(b, jid) == presence.DND })
	r.Stop()
	if _, err := b.dir.SetHTTP(jid, presence.Away, "", time.Minute); !errors.Is(err, presence.ErrUnavailable) {
		t.Fatalf("write with Redis down: %v, want ErrUnavailable", err)
	}
	if got := status(b, jid); got != presence.DND {
		t.Fatalf("b shows %s with Redis down, want the last value dnd", got)
	}
	waitFor(t, 5*time.Second, "not ready", func() bool { return b.node.Ready() != "" })
	r.Start()
	waitFor(t, 10*time.Second, "ready again", func() bool { return a.node.Ready() == "" && b.node.Ready() == "" })
	if _, err := b.dir.SetHTTP(jid, presence.Away, "", time.Minute); err != nil {
		t.Fatalf("write after recovery: %v", err)
	}
	waitFor(t, 5*time.Second, "away on a", func() bool { return status(a, jid) == presence.Away })
}

func decodeNotice(payload string) (notice, error) {
	var n notice
	err := json.Unmarshal([]byte(payload), &n)
	return n, err
}

// TestRosterGroupsOnEveryReplica: a roster group the watcher's replica
// learns is a dashboard on every replica.
func TestRosterGroupsOnEveryReplica(t *testing.T) {
	r := testenv.StartRedis(t)
	a, b := startReplica(t, r), startReplica(t, r)
	items := map[string]presence.RosterItem{
		"gina@example.com": {Subscribed: true, Groups: []string{"team", "ops"}},
		"hal@example.com":  {Subscribed: true, Groups: []string{"team"}},
	}
	if err := a.dir.SyncRoster(items); err != nil {
		t.Fatal(err)
	}
	waitFor(t, 5*time.Second, "team on b", func() bool { return len(b.dir.Group("team")) == 2 })
	if got := b.dir.Group("ops"); len(got) != 1 || got[0] != "gina@example.com" {
		t.Fatalf("ops on b = %v", got)
	}
	if err := a.dir.SetRosterItem("hal@example.com", presence.RosterItem{Subscribed: true, Groups: []string{"ops"}}); err != nil {
		t.Fatal(err)
	}
	waitFor(t, 5*time.Second, "hal moved on b", func() bool { return len(b.dir.Group("team")) == 1 && len(b.dir.Group("ops")) == 2 })
}

// TestPausedRedisLeavesReadsServing: while a write waits on a Redis that
// hangs (SIGSTOP), the directory's reads, Stats (so /readyz) and the
// mirroring of notices go on; the write fails once its timeout ran out.
func TestPausedRedisLeavesReadsServing(t *testing.T) {
	r := testenv.StartRedis(t)
	a := startReplica(t, r)
	const jid = "erin@example.com"
	if _, err := a.dir.SetHTTP(jid, presence.DND, "", time.Minute); err != nil {
		t.Fatal(err)
	}
	pid := r.PID()
	if err := syscall.Kill(pid, syscall.SIGSTOP); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { syscall.Kill(pid, syscall.SIGCONT) })
	wrote := make(chan error, 1)
	go func() {
		_, err := a.dir.SetHTTP(jid, presence.Away, "", time.Minute)
		wrote <- err
	}()
	time.Sleep(100 * time.Millisecond) // the write is waiting on Redis now
	read := make(chan struct{})
	go func() {
		defer close(read)
		a.dir.Stats()
		a.dir.Record(jid)
		a.dir.Group("friends")
		a.dir.Sources(jid)
		a.dir.Apply(presence.Shared{Record: presence.Record{JID: "other@example.com", Subscribed: true, Version: 1}})
	}()
	select {
	case <-read:
	case err := <-wrote:
		t.Fatalf("the write returned (%v) before the reads did: they waited for Redis", err)
	case <-time.After(ioTimeout / 2):
		t.Fatal("reads waited for a hanging Redis")
	}
	select {
	case err := <-wrote:
		t.Fatalf("the write returned (%v) before Redis could answer", err)
	default:
	}
	if err := <-wrote; !errors.Is(err, presence.ErrUnavailable) {
		t.Fatalf("write to a paused Redis: %v, want ErrUnavailable", err)
	}
	if got := status(a, jid); got != presence.DND {
		t.Fatalf("shows %s after the failed write, want dnd", got)
	}
	if rec, _ := a.dir.Record(jid); rec.HTTP == nil || rec.HTTP.Status != presence.DND {
		t.Fatalf("record after the failed write: %+v, want the http source dnd", rec)
	}
	syscall.Kill(pid, syscall.SIGCONT)
	waitFor(t, 10*time.Second, "ready again", func() bool { return a.node.Ready() == "" })
	if _, err := a.dir.SetHTTP(jid, presence.Away, "", time.Minute); err != nil {
		t.Fatalf("write after Redis resumed: %v", err)
	}
}
