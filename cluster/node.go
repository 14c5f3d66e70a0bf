package cluster

import (
	"context"
	"encoding/json"
	"log/slog"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/redis/go-redis/v9"

	"badges/presence"
)

// Directory is what a node needs of the replica's presence directory.
type Directory interface {
	Apply(s presence.Shared)
	BeginReload() uint64
	Reload(all []presence.Shared, since uint64)
	Lead(lostAt time.Time)
	StepDown()
	ExpireHTTP(jid string) error
	Stats() presence.Stats
}

var _ Directory = (*presence.Directory)(nil)

// Watcher is the XMPP watcher a node runs while it holds the lease.
type Watcher interface {
	Run(ctx context.Context) error
}

// DefaultLeaseTTL is the watcher's lease: at most 10 s, so that another
// replica takes over within 15 s of the holder's death (docs/API.md#storage-and-scale):
// the lease runs out, a standby tries within a quarter of it and logs in.
const DefaultLeaseTTL = 10 * time.Second

// Timings of the node's loops.
const (
	pingEvery   = time.Second            // how soon an outage or a recovery shows in /readyz
	expiryEvery = 250 * time.Millisecond // how late past its ttl an http source may go offline
	// DefaultExpiryClaim is how long a claimed deadline stays with the
	// replica that claimed it; if it dies before the write, another takes
	// it then.
	DefaultExpiryClaim = 5 * time.Second
	retryGap           = 200 * time.Millisecond // between attempts while Redis is away
)

// claimScript takes the due deadlines (at most 100) and pushes them
// the claim's length into the future, so that no other replica takes them meanwhile.
var claimScript = redis.NewScript(`
local due = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1], 'LIMIT', 0, 100)
for _, j in ipairs(due) do redis.call('ZADD', KEYS[1], ARGV[2], j) end
return due
`)

// acquireScript takes the lease if it is free and draws the next fencing number.
var acquireScript = redis.NewScript(`
if redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then return redis.call('INCR', KEYS[2]) end
return 0
`)

// renewScript extends the lease if this replica still holds it.
var renewScript = redis.NewScript(`
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return 0
`)

// releaseScript gives the lease up if this replica still holds it.
var releaseScript = redis.NewScript(`
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
`)

// NodeOptions configure a Node.
type NodeOptions struct {
	Client    redis.UniversalClient
	Store     *Store
	Directory Directory
	Hub       presence.Hub
	// Watcher runs while the node holds the lease; nil: the node never
	// takes it (no XMPP account configured).
	Watcher Watcher
	// LeaseTTL is the lease's time to live; 0: DefaultLeaseTTL.
	LeaseTTL time.Duration
	// ExpiryClaim is how long a claimed http-source deadline stays with
	// this replica; 0: DefaultExpiryClaim.
	ExpiryClaim time.Duration
	Logger      *slog.Logger
}

// Node is one replica's side of the cluster. Run drives it.
type Node struct {
	rdb     redis.UniversalClient
	store   *Store
	dir     Directory
	hub     presence.Hub
	watcher Watcher
	ttl     time.Duration
	claim   time.Duration
	log     *slog.Logger
	token   string

	leader  atomic.Bool
	pingOK  atomic.Bool
	current atomic.Bool // reloaded since the last (re)subscription
	fenced  chan struct{}

	mu    sync.Mutex
	rooms map[string]uint64 // room -> version shown
}

// NewNode returns a node; Run starts it.
func NewNode(o NodeOptions) *Node {
	n := &Node{
		rdb: o.Client, store: o.Store, dir: o.Directory, hub: o.Hub, watcher: o.Watcher,
		ttl: o.LeaseTTL, claim: o.ExpiryClaim, log: o.Logger, token: newToken(),
		fenced: make(chan struct{}, 1), rooms: make(map[string]uint64),
	}
	if n.ttl <= 0 {
		n.ttl = DefaultLeaseTTL
	}
	if n.claim <= 0 {
		n.claim = DefaultExpiryClaim
	}
	if n.log == nil {
		n.log = slog.New(slog.DiscardHandler)
	}
	n.store.fenced = func() {
		select {
		case n.fenced <- struct{}{}:
		default:
		}
	}
	return n
}

// Leader reports whether this replica holds the watcher's lease.
func (n *Node) Leader() bool { return n.leader.Load() }

// Role is "leader" or "standby", as /readyz says it.
func (n *Node) Role() string {
	if n.Leader() {
		return "leader"
	}
	return "standby"
}

// Ready says why the replica is not ready, or "" when it is: it reaches
// Redis and has caught up on what it may have missed.
func (n *Node) Ready() string {
	switch {
	case !n.pingOK.Load():
		return "redis unreachable"
	case !n.current.Load():
		return "catching up with redis"
	}
	return ""
}

// Run drives the node until ctx ends: it mirrors notices, watches Redis's
// health, expires due http sources and holds or waits for the lease. On
// the way out it stops the watcher and gives the lease up, so that another
// replica takes over at once.
func (n *Node) Run(ctx context.Context) {
	var wg sync.WaitGroup
	wg.Go(func() { n.runNotices(ctx) })
	wg.Go(func() { n.runPing(ctx) })
	wg.Go(func() { n.runExpiry(ctx) })
	wg.Go(func() { n.runLease(ctx) })
	wg.Wait()
}

// sleep waits d or until ctx ends; false when it ended.
func sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}

func (n *Node) runPing(ctx context.Context) {
	for {
		pctx, cancel := context.WithTimeout(ctx, ioTimeout)
		err := n.rdb.Ping(pctx).Err()
		cancel()
		if ctx.Err() != nil {
			return
		}
		if was := n.pingOK.Swap(err == nil); was != (err == nil) {
			if err != nil {
				n.log.Warn("redis unreachable", "err", err)
			} else {
				n.log.Info("redis reachable")
			}
		}
		if !sleep(ctx, pingEvery) {
			return
		}
	}
}

// notice is the wire form of the scripts' notices: k is j (a record), g
// (a record gone) or r (a room).
type notice struct {
	K   string `json:"k"`
	N   string `json:"n"`
	V   string `json:"v"`
	Rec string `json:"rec"`
	P   string `json:"p"`
	S   string `json:"s"`
	O   string `json:"o"`
}

// runNotices mirrors every notice. Each (re)subscription is followed by a
// full reload, since Pub/Sub drops what was sent while the node was away;
// notices that arrive during the reload wait in the connection and are
// applied after it, and versions keep the newest.
func (n *Node) runNotices(ctx context.Context) {
	ps := n.rdb.Subscribe(ctx, chanNotices)
	// Receive does not return when ctx ends; closing the subscription does.
	stop := context.AfterFunc(ctx, func() { ps.Close() })
	defer stop()
	defer ps.Close()
	for {
		msg, err := ps.Receive(ctx)
		if ctx.Err() != nil {
			return
		}
		if err != nil {
			// The link to Redis broke: say so at once, without waiting for
			// the next ping, which will tell when it is back.
			n.pingOK.Store(false)
			if n.current.Swap(false) {
				n.log.Warn("redis notices interrupted", "err", err)
			}
			if !sleep(ctx, retryGap) {
				return
			}
			continue
		}
		switch m := msg.(type) {
		case *redis.Subscription:
			if !n.reload(ctx) {
				return
			}
		case *redis.Message:
			n.apply(m.Payload)
		}
	}
}

// reload mirrors everything Redis holds, trying until it succeeds or ctx
// ends (false).
func (n *Node) reload(ctx context.Context) bool {
	for {
		since := n.dir.BeginReload()
		all, err := n.store.Snapshot(ctx)
		var rooms []RoomValue
		if err == nil {
			rooms, err = n.store.Rooms(ctx)
		}
		if err == nil {
			n.dir.Reload(all, since)
			for _, r := range rooms {
				n.showRoom(r)
			}
			n.current.Store(true)
			n.log.Info("caught up with redis", "jids", len(all), "rooms", len(rooms))
			return true
		}
		n.log.Warn("reloading from redis", "err", err)
		if !sleep(ctx, retryGap) {
			return false
		}
	}
}

func (n *Node) apply(payload string) {
	var m notice
	if err := json.Unmarshal([]byte(payload), &m); err != nil {
		n.log.Warn("bad notice from redis", "err", err)
		return
	}
	v, err := strconv.ParseUint(m.V, 10, 64)
	if err != nil {
		n.log.Warn("bad notice from redis", "err", err)
		return
	}
	switch m.K {
	case "j":
		s, err := decodeShared(m.V, m.Rec, m.P, m.S)
		if err != nil {
			n.log.Warn("bad notice from redis", "jid", m.N, "err", err)
			return
		}
		n.dir.Apply(s)
	case "g":
		n.dir.Apply(presence.Shared{Record: presence.Record{JID: m.N, Version: v}, Gone: true})
	case "r":
		occ, _ := strconv.Atoi(m.O)
		n.showRoom(RoomValue{Room: presence.Room{Room: m.N, Occupants: occ}, Version: v})
	}
}

// showRoom publishes a room's count unless a newer one is shown.
func (n *Node) showRoom(r RoomValue) {
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.rooms[r.Room.Room] >= r.Version {
		return
	}
	n.rooms[r.Room.Room] = r.Version
	n.hub.Publish(presence.NewRoomEntry(r.Room))
}

// runExpiry claims due http-source deadlines and expires them through the
// directory's guarded write; a deadline claimed by a replica that died
// before writing comes due again the claim's length later.
func (n *Node) runExpiry(ctx context.Context) {
	for sleep(ctx, expiryEvery) {
		now := time.Now()
		jids, err := claimScript.Run(ctx, n.rdb, []string{keyExpiry},
			now.UnixMilli(), now.Add(n.claim).UnixMilli()).StringSlice()
		if err != nil {
			continue // the ping loop reports the outage
		}
		for _, jid := range jids {
			if err := n.dir.ExpireHTTP(jid); err != nil {
				n.log.Warn("expiring http presence", "jid", jid, "err", err)
			}
		}
	}
}
