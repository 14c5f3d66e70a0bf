package cluster

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/redis/go-redis/v9"

	"badges/presence"
)

// Keys and channel, under one prefix so that badges can share a database.
const (
	prefix      = "badges:"
	keyJIDs     = prefix + "jids"
	keyRooms    = prefix + "rooms"
	keyExpiry   = prefix + "expiry"
	keySeq      = prefix + "seq"
	keyLease    = prefix + "lease"
	keyFence    = prefix + "fence"
	keySynced   = prefix + "synced"
	chanNotices = prefix + "notices"
)

func jidKey(jid string) string   { return prefix + "jid:" + jid }
func roomKey(room string) string { return prefix + "room:" + room }

// maxConflicts bounds the retries of one write that keeps losing the race
// to other replicas' writes of the same JID; each retry follows a write that
// succeeded, so running out means the JID is written to faster than Redis
// answers, and the write fails as if Redis were unreachable.
const maxConflicts = 50

// commitScript writes a record if its version is the expected one and, for
// the watcher's writes, the fencing number is not older than the current
// lease's; then publishes the notice. Returns {1, version}, {0} on a
// version conflict, {-1} when fenced.
var commitScript = redis.NewScript(`
local cur = redis.call('HGET', KEYS[1], 'v') or '0'
if cur ~= ARGV[1] then return {0} end
if ARGV[2] ~= '' and tonumber(ARGV[2]) < tonumber(redis.call('GET', KEYS[5]) or '0') then return {-1} end
local v = redis.call('INCR', KEYS[4])
redis.call('HSET', KEYS[1], 'v', v, 'rec', ARGV[3], 'p', ARGV[4], 's', ARGV[5])
redis.call('SADD', KEYS[2], ARGV[7])
if ARGV[6] ~= '' then redis.call('ZADD', KEYS[3], ARGV[6], ARGV[7]) else redis.call('ZREM', KEYS[3], ARGV[7]) end
redis.call('PUBLISH', KEYS[6], cjson.encode({k='j', n=ARGV[7], v=tostring(v), rec=ARGV[3], p=ARGV[4], s=ARGV[5]}))
return {1, v}
`)

// removeScript deletes a record (a write of the watcher, fenced).
var removeScript = redis.NewScript(`
if tonumber(ARGV[1]) < tonumber(redis.call('GET', KEYS[5]) or '0') then return -1 end
local v = redis.call('INCR', KEYS[4])
redis.call('DEL', KEYS[1])
redis.call('SREM', KEYS[2], ARGV[2])
redis.call('ZREM', KEYS[3], ARGV[2])
redis.call('PUBLISH', KEYS[6], cjson.encode({k='g', n=ARGV[2], v=tostring(v)}))
return v
`)

// roomScript stores a room's count (a write of the watcher, fenced).
var roomScript = redis.NewScript(`
if tonumber(ARGV[1]) < tonumber(redis.call('GET', KEYS[4]) or '0') then return -1 end
local v = redis.call('INCR', KEYS[3])
redis.call('HSET', KEYS[1], 'v', v, 'n', ARGV[3])
redis.call('SADD', KEYS[2], ARGV[2])
redis.call('PUBLISH', KEYS[5], cjson.encode({k='r', n=ARGV[2], v=tostring(v), o=ARGV[3]}))
return v
`)

// Store is the presence.SharedStore on Redis.
type Store struct {
	rdb redis.UniversalClient
	// fence is the fencing number of this replica's lease, 0 while it
	// holds none: the watcher's writes carry it.
	fence atomic.Int64
	// fenced is told when Redis refused a write for an older fence, so
	// that the node steps down at once; it may be nil.
	fenced func()
}

var _ presence.SharedStore = (*Store)(nil)

// NewStore returns the store on rdb.
func NewStore(rdb redis.UniversalClient) *Store { return &Store{rdb: rdb} }

// presenceWire is a Presence at full precision (its API form keeps seconds).
type presenceWire struct {
	JID      string                              `json:"jid"`
	Status   presence.Status                     `json:"status"`
	Message  string                              `json:"message,omitempty"`
	Since    time.Time                           `json:"since,omitzero"`
	LastSeen time.Time                           `json:"last_seen,omitzero"`
	Sources  map[presence.Source]presence.Status `json:"sources,omitempty"`
}

func encodeShared(s presence.Shared) (rec, p, since string, err error) {
	rb, err := s.Record.AppendJSON(nil)
	if err != nil {
		return "", "", "", err
	}
	q := s.Presence
	pb, err := json.Marshal(presenceWire{JID: q.JID, Status: q.Status, Message: q.Message,
		Since: q.Since, LastSeen: q.LastSeen, Sources: q.Sources})
	if err != nil {
		return "", "", "", err
	}
	return string(rb), string(pb), s.Since.UTC().Format(time.RFC3339Nano), nil
}

func decodeShared(version, rec, p, since string) (presence.Shared, error) {
	var s presence.Shared
	v, err := strconv.ParseUint(version, 10, 64)
	if err != nil {
		return s, fmt.Errorf("version %q: %w", version, err)
	}
	if err := json.Unmarshal([]byte(rec), &s.Record); err != nil {
		return s, fmt.Errorf("record: %w", err)
	}
	var w presenceWire
	if err := json.Unmarshal([]byte(p), &w); err != nil {
		return s, fmt.Errorf("presence: %w", err)
	}
	s.Record.Version = v
	s.Presence = presence.Presence{JID: w.JID, Status: w.Status, Message: w.Message,
		Since: w.Since, LastSeen: w.LastSeen, Sources: w.Sources}
	if since != "" {
		if s.Since, err = time.Parse(time.RFC3339Nano, since); err != nil {
			return s, fmt.Errorf("since: %w", err)
		}
	}
	return s, nil
}

// unavailable wraps a Redis error as presence.ErrUnavailable.
func unavailable(op string, err error) error {
	return fmt.Errorf("redis %s: %w (%w)", op, presence.ErrUnavailable, err)
}

func ctxIO() (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.Background(), ioTimeout)
}

// Commit implements presence.SharedStore.
func (s *Store) Commit(sh presence.Shared, watcher bool, redo func(stored presence.Shared) (presence.Shared, bool)) (presence.Shared, error) {
	ctx, cancel := ctxIO()
	defer cancel()
	jid := sh.Record.JID
	for range maxConflicts {
		fence := ""
		if watcher {
			fence = strconv.FormatInt(s.fence.Load(), 10)
		}
		rec, p, since, err := encodeShared(sh)
		if err != nil {
			return presence.Shared{}, fmt.Errorf("encode %s: %w", jid, err)
		}
		expires := ""
		if h := sh.Record.HTTP; h != nil && !h.Expires.IsZero() {
			expires = strconv.FormatInt(h.Expires.UnixMilli(), 10)
		}
		res, err := commitScript.Run(ctx, s.rdb,
			[]string{jidKey(jid), keyJIDs, keyExpiry, keySeq, keyFence, chanNotices},
			strconv.FormatUint(sh.Record.Version, 10), fence, rec, p, since, expires, jid).Int64Slice()
		if err != nil {
			return presence.Shared{}, unavailable("commit", err)
		}
		switch res[0] {
		case 1:
			sh.Record.Version = uint64(res[1])
			return sh, nil
		case -1:
			if s.fenced != nil {
				s.fenced()
			}
			return presence.Shared{}, presence.ErrFenced
		}
		stored, err := s.load(ctx, jid)
		if err != nil {
			return presence.Shared{}, err
		}
		next, ok := redo(stored)
		if !ok {
			return stored, nil
		}
		sh = next
	}
	return presence.Shared{}, fmt.Errorf("commit %s: %w (too many concurrent writes)", jid, presence.ErrUnavailable)
}

// load reads what is stored of jid; Gone, with version 0, when nothing is.
func (s *Store) load(ctx context.Context, jid string) (presence.Shared, error) {
	h, err := s.rdb.HGetAll(ctx, jidKey(jid)).Result()
	if err != nil {
		return presence.Shared{}, unavailable("load", err)
	}
	if h["v"] == "" {
		return presence.Shared{Record: presence.Record{JID: jid}, Gone: true}, nil
	}
	sh, err := decodeShared(h["v"], h["rec"], h["p"], h["s"])
	if err != nil {
		return presence.Shared{}, fmt.Errorf("redis: %s: %w", jid, err)
	}
	return sh, nil
}

// Remove implements presence.SharedStore.
func (s *Store) Remove(jid string) error {
	ctx, cancel := ctxIO()
	defer cancel()
	v, err := removeScript.Run(ctx, s.rdb,
		[]string{jidKey(jid), keyJIDs, keyExpiry, keySeq, keyFence, chanNotices},
		s.fence.Load(), jid).Int64()
	if err != nil {
		return unavailable("remove", err)
	}
	if v < 0 {
		if s.fenced != nil {
			s.fenced()
		}
		return presence.ErrFenced
	}
	return nil
}

// SetRoom implements presence.SharedStore.
func (s *Store) SetRoom(room string, occupants int) error {
	ctx, cancel := ctxIO()
	defer cancel()
	v, err := roomScript.Run(ctx, s.rdb,
		[]string{roomKey(room), keyRooms, keySeq, keyFence, chanNotices},
		s.fence.Load(), room, occupants).Int64()
	if err != nil {
		return unavailable("room", err)
	}
	if v < 0 {
		if s.fenced != nil {
			s.fenced()
		}
		return presence.ErrFenced
	}
	return nil
}

// Records implements presence.Store: what every JID's record is now.
func (s *Store) Records() ([]presence.Record, error) {
	all, err := s.Snapshot(context.Background())
	if err != nil {
		return nil, err
	}
	recs := make([]presence.Record, len(all))
	for i, sh := range all {
		recs[i] = sh.Record
	}
	return recs, nil
}

// Write implements presence.Store. A Directory on a shared store commits
// instead (and badges migrate imports through one), so nothing calls it.
func (s *Store) Write(batch []presence.Write) []error {
	errs := make([]error, len(batch))
	for i := range errs {
		errs[i] = errors.New("cluster: Write: a shared store takes commits")
	}
	return errs
}

// RoomValue is a room's count with its version.
type RoomValue struct {
	Room    presence.Room
	Version uint64
}

// Snapshot reads every record that Redis holds.
func (s *Store) Snapshot(ctx context.Context) ([]presence.Shared, error) {
	jids, err := s.rdb.SMembers(ctx, keyJIDs).Result()
	if err != nil {
		return nil, unavailable("snapshot", err)
	}
	out := make([]presence.Shared, 0, len(jids))
	const batch = 500
	for i := 0; i < len(jids); i += batch {
		part := jids[i:min(i+batch, len(jids))]
		cmds := make([]*redis.MapStringStringCmd, len(part))
		_, err := s.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
			for k, jid := range part {
				cmds[k] = p.HGetAll(ctx, jidKey(jid))
			}
			return nil
		})
		if err != nil {
			return nil, unavailable("snapshot", err)
		}
		for k, c := range cmds {
			h := c.Val()
			if h["v"] == "" {
				continue // removed since SMEMBERS
			}
			sh, err := decodeShared(h["v"], h["rec"], h["p"], h["s"])
			if err != nil {
				return nil, fmt.Errorf("redis: %s: %w", part[k], err)
			}
			out = append(out, sh)
		}
	}
	return out, nil
}

// Rooms reads every room count that Redis holds.
func (s *Store) Rooms(ctx context.Context) ([]RoomValue, error) {
	rooms, err := s.rdb.SMembers(ctx, keyRooms).Result()
	if err != nil {
		return nil, unavailable("rooms", err)
	}
	out := make([]RoomValue, 0, len(rooms))
	for _, room := range rooms {
		h, err := s.rdb.HGetAll(ctx, roomKey(room)).Result()
		if err != nil {
			return nil, unavailable("rooms", err)
		}
		v, _ := strconv.ParseUint(h["v"], 10, 64)
		n, _ := strconv.Atoi(h["n"])
		out = append(out, RoomValue{Room: presence.Room{Room: room, Occupants: n}, Version: v})
	}
	return out, nil
}
