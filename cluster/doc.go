// Package cluster lets several badges replicas share state and events
// through Redis (docs/DESIGN.md, Replicas on Redis; docs/API.md#storage-and-scale):
//
//   - Store is the presence.SharedStore: each JID's record, version and
//     aggregated presence in one hash, written by a script that checks the
//     version (and, for the watcher's writes, the fencing number) and
//     publishes a notice in the same step.
//   - Node runs a replica's side: it mirrors every notice into the local
//     directory, reloads everything after a reconnect, holds or waits for
//     the watcher's lease and runs the watcher while it holds it, and
//     expires http-source presence whose deadline it claimed.
//
// Aggregation stays in package presence; Redis only orders and carries.
//
// Redis layout (prefix "badges:"): jid:J (hash v, rec, p, s), jids (set),
// room:R (hash v, n), rooms (set), expiry (sorted set of deadlines), seq
// (versions), lease, fence, synced (end of the holder's last synced
// session), and the Pub/Sub channel notices. The scripts touch several
// keys, so Redis Cluster is not supported; a single Redis with replicas
// under Sentinel is (see Connect).
package cluster
