package e2e

import (
	"net/http"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"badges/internal/testenv"
	"badges/presence"
)

// failover bounds how long Sentinel takes to give up a dead master and
// promote its replica with testenv's timings (down after 1 s), and the
// replicas of badges to find the new one.
const failover = 30 * time.Second

// TestSentinelFailover: a replica of badges that reaches Redis through
// Sentinel (-redis redis://SENTINEL/0?master_name=NAME) follows a failover.
// Writes answer 503 while no master answers and go on once the replica is
// promoted, with what was replicated before the master died; a replica of
// badges started afterwards finds both writes there.
func TestSentinelFailover(t *testing.T) {
	master := testenv.StartRedis(t)
	replica := testenv.StartRedisReplica(t, master)
	sentinel := testenv.StartSentinel(t, master, "badges")
	sc := redis.NewSentinelClient(&redis.Options{Addr: sentinel.Addr})
	defer sc.Close()
	// Sentinel learns of the replica from the master; it can promote only
	// one it knows.
	deadline := time.Now().Add(failover)
	for {
		rs, err := sc.Replicas(t.Context(), "badges").Result()
		if err == nil && len(rs) == 1 && rs[0]["master-link-status"] == "ok" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("sentinel does not know the replica: %v %v", rs, err)
		}
		time.Sleep(pollEvery)
	}

	args := []string{"-redis", sentinel.URL, "-lease-ttl", leaseTTL, "-expiry-claim", expiryClaim.String()}
	p := start(t, t.TempDir(), args...)
	p.awaitReady(t, http.StatusOK)
	const before, after = "before@example.com", "after@example.com"
	p.put(before, `{"status":"dnd","message":"before the failover","ttl":3600}`)
	// Replication is asynchronous: the write is on the replica once WAIT
	// says so (a failover may lose what it has not got; docs/API.md).
	mc := redis.NewClient(&redis.Options{Addr: master.Addr})
	defer mc.Close()
	if n, err := mc.Wait(t.Context(), 1, 10*time.Second).Result(); err != nil || n != 1 {
		t.Fatalf("WAIT = %d, %v; want the replica to have the write", n, err)
	}

	master.Kill()
	killed := time.Now()
	sawUnavailable := false
	deadline = time.Now().Add(failover)
	for {
		code, body := p.do("PUT", "/api/v1/presence/"+after, `{"status":"away","message":"after the failover","ttl":3600}`,
			map[string]string{"Authorization": "Bearer " + apiKey})
		if code == http.StatusOK {
			break
		}
		if code != http.StatusServiceUnavailable {
			t.Fatalf("PUT during the failover = %d %s, want 503 or 200", code, body)
		}
		sawUnavailable = true
		if time.Now().After(deadline) {
			t.Fatalf("writes still refused %s after the master died", failover)
		}
		time.Sleep(pollEvery)
	}
	addr, err := sc.GetMasterAddrByName(t.Context(), "badges").Result()
	if err != nil || len(addr) != 2 || addr[0]+":"+addr[1] != replica.Addr {
		t.Fatalf("master after the failover: %v, %v; want the replica %s", addr, err, replica.Addr)
	}
	if !sawUnavailable {
		// Sentinel gives a master up only after a second of silence: a
		// write right after the kill has no master to go to.
		t.Error("no write was refused while no master answered, want 503 until the failover")
	}
	t.Logf("writes answered again %s after the master died", time.Since(killed).Round(time.Millisecond))
	p.awaitReady(t, http.StatusOK)

	// A replica started now reads everything from the promoted master.
	q := start(t, t.TempDir(), args...)
	q.awaitReady(t, http.StatusOK)
	for jid, want := range map[string]presence.Status{before: presence.DND, after: presence.Away} {
		for _, r := range []*proc{p, q} {
			if got := r.get(jid); got.Status != want {
				t.Errorf("%s on %s after the failover: %+v, want %s", jid, r.base, got, want)
			}
		}
	}
}
