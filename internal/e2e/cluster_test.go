package e2e

import (
	"bytes"
	"context"
	"crypto/sha1"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"image/png"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/coder/websocket"

	"badges/internal/testenv"
	"badges/presence"
)

// Timings of the replica tests. The lease is short, so that takeovers take
// seconds, not the 10 s of production, yet twice the shortest the settings
// allow, so that a holder starved of CPU by a busy machine still renews in
// time.
const (
	leaseTTL = "2s"
	// expiryClaim is short, so that proving no second expiry is quick.
	expiryClaim = time.Second
	// takeover is docs/API.md#storage-and-scale's bound for another replica
	// to hold the watcher and let changes flow after the holder died.
	takeover = 15 * time.Second
)

// cluster is Redis, optionally Prosody, and replicas of badges sharing them.
type cluster struct {
	t      *testing.T
	redis  *testenv.Redis
	xmpp   *testenv.Prosody
	args   []string
	nodes  []*proc
	alice  string
	client *testenv.Client
}

// startCluster starts Redis and n replicas. With withXMPP, also Prosody,
// the watcher's account and alice, opted in.
func startCluster(t *testing.T, n int, withXMPP bool) *cluster {
	t.Helper()
	c := &cluster{t: t, redis: testenv.StartRedis(t)}
	c.args = []string{"-redis", c.redis.URL, "-lease-ttl", leaseTTL, "-expiry-claim", expiryClaim.String()}
	if withXMPP {
		c.xmpp = testenv.StartProsody(t)
		const pw = "e2e-password"
		bot := c.xmpp.Register("badges", pw)
		c.alice = c.xmpp.Register("alice", pw)
		c.args = append(c.args, "-xmpp-jid", bot, "-xmpp-password", pw, "-xmpp-server", c.xmpp.Addr, "-xmpp-tls", "none")
		defer func() {
			c.client = c.xmpp.Connect(c.alice, pw, "phone")
			optIn(t, c.client, bot)
		}()
	}
	for range n {
		c.nodes = append(c.nodes, c.start())
	}
	for _, p := range c.nodes {
		p.awaitReady(t, http.StatusOK)
	}
	if withXMPP {
		c.awaitLeader(takeover, nil)
	}
	return c
}

// start runs one more replica (its -data directory is never used).
func (c *cluster) start() *proc {
	return start(c.t, c.t.TempDir(), c.args...)
}

// role reads a replica's /readyz: its status code and watcher role.
func (p *proc) role() (int, string) {
	code, body := p.do("GET", "/readyz", "", nil)
	var r struct {
		Watcher string `json:"watcher"`
	}
	json.Unmarshal([]byte(body), &r)
	return code, r.Watcher
}

// awaitLeader waits until exactly one running replica, not skip, says it
// holds the watcher, and returns it.
func (c *cluster) awaitLeader(within time.Duration, skip *proc) *proc {
	c.t.Helper()
	deadline := time.Now().Add(within)
	for {
		var leaders []*proc
		for _, p := range c.nodes {
			if p == skip || p.exited() {
				continue
			}
			if _, r := p.role(); r == "leader" {
				leaders = append(leaders, p)
			}
		}
		if len(leaders) == 1 {
			return leaders[0]
		}
		if time.Now().After(deadline) {
			c.t.Fatalf("%d replicas hold the watcher after %s, want 1", len(leaders), within)
		}
		time.Sleep(pollEvery) // poll interval of a condition with no event to wait on
	}
}

func (p *proc) exited() bool {
	select {
	case <-p.done:
		return true
	default:
		return false
	}
}

// wsWatch is a WebSocket client that keeps every presence frame it gets.
type wsWatch struct {
	mu     sync.Mutex
	frames []presence.Presence
	more   chan struct{}
}

// watch opens /ws on p subscribed to jid and collects its frames until the
// test ends.
func (p *proc) watch(t *testing.T, jid string) *wsWatch {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	conn, _, err := websocket.Dial(ctx, "ws"+strings.TrimPrefix(p.base, "http")+"/ws?jid="+jid, nil)
	if err != nil {
		t.Fatalf("dial ws: %v", err)
	}
	w := &wsWatch{more: make(chan struct{}, 1)}
	go func() {
		defer conn.CloseNow()
		for {
			_, b, err := conn.Read(ctx)
			if err != nil {
				return
			}
			var f struct {
				Type     string            `json:"type"`
				Presence presence.Presence `json:"presence"`
			}
			if json.Unmarshal(b, &f) != nil || f.Type != "presence" {
				continue
			}
			w.mu.Lock()
			w.frames = append(w.frames, f.Presence)
			w.mu.Unlock()
			select {
			case w.more <- struct{}{}:
			default:
			}
		}
	}()
	return w
}

// await waits until a frame satisfies ok and returns it.
func (w *wsWatch) await(t *testing.T, within time.Duration, what string, ok func(presence.Presence) bool) presence.Presence {
	t.Helper()
	deadline := time.After(within)
	for {
		w.mu.Lock()
		for _, f := range w.frames {
			if ok(f) {
				w.mu.Unlock()
				return f
			}
		}
		w.mu.Unlock()
		select {
		case <-w.more:
		case <-deadline:
			t.Fatalf("websocket: no frame %s within %s; got %+v", what, within, w.all())
		}
	}
}

func (w *wsWatch) all() []presence.Presence {
	w.mu.Lock()
	defer w.mu.Unlock()
	return append([]presence.Presence(nil), w.frames...)
}

// count says how many frames satisfy ok.
func (w *wsWatch) count(ok func(presence.Presence) bool) int {
	n := 0
	for _, f := range w.all() {
		if ok(f) {
			n++
		}
	}
	return n
}

func is(s presence.Status) func(presence.Presence) bool {
	return func(p presence.Presence) bool { return p.Status == s }
}

// TestReplicasShareChanges: a change in an XMPP client reaches WebSocket
// clients on all three replicas; a PUT and a DELETE on one show on the
// others' JSON and WebSockets; a ttl-2 write goes offline once, with one
// offline frame per subscriber.
func TestReplicasShareChanges(t *testing.T) {
	c := startCluster(t, 3, true)
	alice := c.alice
	var ws []*wsWatch
	for _, p := range c.nodes {
		ws = append(ws, p.watch(t, alice))
	}
	for i, w := range ws {
		w.await(t, changeWait, fmt.Sprintf("available on replica %d", i), is(presence.Available))
	}
	if err := c.client.SetPresence("dnd", "In a meeting", 0); err != nil {
		t.Fatal(err)
	}
	for i, w := range ws {
		w.await(t, changeWait, fmt.Sprintf("dnd on replica %d", i), func(p presence.Presence) bool {
			return p.Status == presence.DND && p.Message == "In a meeting"
		})
	}

	// The http source, written on one replica, read on the others.
	const bob = "bob@example.com"
	var bws []*wsWatch
	for _, p := range c.nodes {
		bws = append(bws, p.watch(t, bob))
	}
	c.nodes[1].put(bob, `{"status":"away","message":"lunch"}`)
	for i, p := range c.nodes {
		await(t.Context(), t, p, bob, func(pr presence.Presence) bool { return pr.Status == presence.Away && pr.Message == "lunch" })
		bws[i].await(t, changeWait, "away", is(presence.Away))
	}
	if code, body := c.nodes[2].do("DELETE", "/api/v1/presence/"+bob, "", map[string]string{"Authorization": "Bearer " + apiKey}); code != http.StatusOK {
		t.Fatalf("DELETE = %d %s", code, body)
	}
	for i, p := range c.nodes {
		await(t.Context(), t, p, bob, func(pr presence.Presence) bool { return pr.Status == presence.Offline })
		bws[i].await(t, changeWait, "offline", is(presence.Offline))
	}

	// Expiry: one offline frame per subscriber, however many replicas run.
	const carol = "carol@example.com"
	var cws []*wsWatch
	for _, p := range c.nodes {
		cws = append(cws, p.watch(t, carol), p.watch(t, carol))
	}
	c.nodes[0].put(carol, `{"status":"available","ttl":2}`)
	for _, w := range cws {
		w.await(t, changeWait, "available", is(presence.Available))
	}
	for _, w := range cws {
		w.await(t, changeWait, "offline after the ttl", is(presence.Offline))
	}
	time.Sleep(expiryClaim + 2*time.Second) // past a second claim of the deadline, were there one
	for i, w := range cws {
		if n := w.count(is(presence.Offline)); n != 1 {
			t.Errorf("subscriber %d got %d offline frames, want 1: %+v", i, n, w.all())
		}
	}
}

// TestWatcherTakeover: kill -9 of the lease holder, and another holds the
// watcher and changes flow within 15 s; SIGSTOP of the next holder past the
// lease, a change, SIGCONT: the resumed replica publishes nothing stale
// and steps down.
func TestWatcherTakeover(t *testing.T) {
	c := startCluster(t, 3, true)
	alice := c.alice
	leader := c.awaitLeader(takeover, nil)
	for _, p := range c.nodes {
		await(t.Context(), t, p, alice, is(presence.Available))
	}

	killed := time.Now()
	leader.kill()
	if err := c.client.SetPresence("away", "after the kill", 0); err != nil {
		t.Fatal(err)
	}
	next := c.awaitLeader(takeover, leader)
	var others []*proc
	for _, p := range c.nodes {
		if p != leader && p != next {
			others = append(others, p)
		}
	}
	for _, p := range []*proc{next, others[0]} {
		ctx, cancel := context.WithDeadline(t.Context(), killed.Add(takeover))
		p.await(ctx, alice, func(pr presence.Presence) bool { return pr.Status == presence.Away && pr.Message == "after the kill" })
		cancel()
	}
	t.Logf("changes flow again %s after the kill", time.Since(killed).Round(time.Millisecond))

	// Pause the holder past its lease; the last replica takes over.
	last := others[0]
	w := last.watch(t, alice)
	w.await(t, changeWait, "away", is(presence.Away))
	own := next.watch(t, alice) // the paused replica's own client
	own.await(t, changeWait, "away", is(presence.Away))
	ownSeen := len(own.all())
	if err := next.cmd.Process.Signal(syscall.SIGSTOP); err != nil {
		t.Fatal(err)
	}
	resumed := false
	defer func() {
		if !resumed {
			next.cmd.Process.Signal(syscall.SIGCONT)
		}
	}()
	c.awaitLeader(takeover, next)
	if err := c.client.SetPresence("xa", "while paused", 0); err != nil {
		t.Fatal(err)
	}
	w.await(t, takeover, "xa", func(p presence.Presence) bool { return p.Status == presence.XA })
	seen := len(w.all())
	if err := next.cmd.Process.Signal(syscall.SIGCONT); err != nil {
		t.Fatal(err)
	}
	resumed = true
	ctx, cancel := context.WithTimeout(t.Context(), changeWait)
	defer cancel()
	next.await(ctx, alice, func(pr presence.Presence) bool { return pr.Status == presence.XA })
	deadline := time.Now().Add(changeWait)
	for {
		if _, r := next.role(); r == "standby" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the resumed replica still says it holds the watcher")
		}
		time.Sleep(pollEvery) // poll interval of a condition with no event to wait on
	}
	// A last change, after the resumed replica stepped down: frames come
	// in order, so anything stale it published would arrive before it.
	if err := c.client.SetPresence("chat", "after the pause", 0); err != nil {
		t.Fatal(err)
	}
	marker := func(p presence.Presence) bool { return p.Message == "after the pause" }
	w.await(t, changeWait, "the last change", marker)
	own.await(t, changeWait, "the last change on the resumed replica", marker)
	if _, r := next.role(); r != "standby" {
		t.Errorf("the resumed replica says %q after the last change, want standby", r)
	}
	for name, frames := range map[string][]presence.Presence{"another": w.all()[seen:], "the resumed": own.all()[ownSeen:]} {
		for _, f := range frames {
			if marker(f) {
				break
			}
			if f.Status != presence.XA {
				t.Errorf("after SIGCONT %s replica showed %+v, want nothing but xa", name, f)
			}
		}
	}
	for _, p := range []*proc{last, next} {
		if got := p.get(alice); !marker(got) {
			t.Errorf("after SIGCONT: %+v, want the last change", got)
		}
	}
}

// TestRedisOutage: with Redis stopped, reads answer the last values,
// /readyz is 503 with a reason and writes 503 with Retry-After; once it is
// back, everything works again without a restart.
func TestRedisOutage(t *testing.T) {
	c := startCluster(t, 2, false)
	const jid = "erin@example.com"
	c.nodes[0].put(jid, `{"status":"dnd","message":"busy","ttl":600}`)
	await(t.Context(), t, c.nodes[1], jid, is(presence.DND))

	c.redis.Stop()
	for _, p := range c.nodes {
		p.awaitReady(t, http.StatusServiceUnavailable)
		if got := p.get(jid); got.Status != presence.DND || got.Message != "busy" {
			t.Errorf("during the outage: %+v, want the last value", got)
		}
		code, body := p.do("GET", "/readyz", "", nil)
		if code != http.StatusServiceUnavailable || !strings.Contains(body, "redis unreachable") {
			t.Errorf("readyz during the outage = %d %s, want 503 naming redis", code, body)
		}
	}
	req, _ := http.NewRequest("PUT", c.nodes[1].base+"/api/v1/presence/"+jid, strings.NewReader(`{"status":"away"}`))
	req.Header.Set("Authorization", "Bearer "+apiKey)
	res, err := (&http.Client{Timeout: 10 * time.Second}).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusServiceUnavailable || res.Header.Get("Retry-After") == "" {
		t.Fatalf("PUT during the outage = %d, Retry-After %q; want 503 with Retry-After", res.StatusCode, res.Header.Get("Retry-After"))
	}

	c.redis.Start()
	for _, p := range c.nodes {
		p.awaitReady(t, http.StatusOK)
	}
	c.nodes[1].put(jid, `{"status":"away","message":"back","ttl":600}`)
	await(t.Context(), t, c.nodes[0], jid, func(pr presence.Presence) bool { return pr.Status == presence.Away && pr.Message == "back" })
}

// TestReplicaDurability: every write acknowledged by any replica survives
// kill -9 of Redis and of every replica.
func TestReplicaDurability(t *testing.T) {
	c := startCluster(t, 3, false)
	statuses := []presence.Status{presence.Available, presence.Away, presence.DND, presence.XA, presence.Chat}
	const n = 150
	want := make(map[string]presence.Presence, n)
	var mu sync.Mutex
	var wg sync.WaitGroup
	for i, p := range c.nodes {
		wg.Go(func() {
			for k := i; k < n; k += len(c.nodes) {
				jid := fmt.Sprintf("user%d@example.com", k)
				body := fmt.Sprintf(`{"status":%q,"message":"write %d","ttl":3600}`, statuses[k%len(statuses)], k)
				got := p.put(jid, body)
				mu.Lock()
				want[jid] = got
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	c.redis.Kill()
	for _, p := range c.nodes {
		p.kill()
	}
	c.redis.Start()
	c.nodes = []*proc{c.start(), c.start()}
	for _, p := range c.nodes {
		p.awaitReady(t, http.StatusOK)
	}
	for jid, w := range want {
		for _, p := range c.nodes {
			if got := p.get(jid); got.Status != w.Status || got.Message != w.Message {
				t.Errorf("%s after the restart: %+v, want %+v", jid, got, w)
			}
		}
	}
}

// TestReplicasConvergeOnConcurrentWrites: many writes to one JID at once
// through different replicas leave every replica showing the same value.
func TestReplicasConvergeOnConcurrentWrites(t *testing.T) {
	c := startCluster(t, 3, false)
	const jid = "frank@example.com"
	var wg sync.WaitGroup
	for i, p := range c.nodes {
		wg.Go(func() {
			for k := range 30 {
				p.put(jid, fmt.Sprintf(`{"status":"away","message":"r%d-%d","ttl":600}`, i, k))
			}
		})
	}
	wg.Wait()
	// Every replica shows the same value: the one Redis took last.
	deadline := time.Now().Add(changeWait)
	for {
		a, b, c2 := c.nodes[0].get(jid), c.nodes[1].get(jid), c.nodes[2].get(jid)
		if a.Message == b.Message && b.Message == c2.Message && a.Since.Equal(b.Since) && b.Since.Equal(c2.Since) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("replicas disagree: %+v, %+v, %+v", a, b, c2)
		}
		time.Sleep(pollEvery) // poll interval of a condition with no event to wait on
	}
	// A write after all others is the last acknowledged one, everywhere.
	c.nodes[2].put(jid, `{"status":"dnd","message":"final","ttl":600}`)
	for _, p := range c.nodes {
		await(t.Context(), t, p, jid, func(pr presence.Presence) bool { return pr.Status == presence.DND && pr.Message == "final" })
	}
	first := c.nodes[0].get(jid)
	for i, p := range c.nodes[1:] {
		if got := p.get(jid); !got.Since.Equal(first.Since) || got.Message != first.Message {
			t.Errorf("replica %d shows %+v, replica 0 %+v", i+1, got, first)
		}
	}
}

// TestReplicasShareRichPresence: the tune, nick and picture a client
// publishes over PEP reach a replica that does not hold the watcher, which
// serves the same picture as the holder.
func TestReplicasShareRichPresence(t *testing.T) {
	c := startCluster(t, 3, true)
	leader := c.awaitLeader(takeover, nil)
	var other *proc
	for _, p := range c.nodes {
		if p != leader {
			other = p
			break
		}
	}
	const (
		nsTune       = "http://jabber.org/protocol/tune"
		nsNick       = "http://jabber.org/protocol/nick"
		nsAvatarData = "urn:xmpp:avatar:data"
		nsAvatarMeta = "urn:xmpp:avatar:metadata"
	)
	c.client.Publish(nsTune, "current", "<tune xmlns='"+nsTune+"'><artist>Yes</artist><title>Roundabout</title></tune>", changeWait)
	c.client.Publish(nsNick, "current", "<nick xmlns='"+nsNick+"'>Alice R</nick>", changeWait)
	var buf bytes.Buffer
	img := image.NewNRGBA(image.Rect(0, 0, 40, 40))
	draw.Draw(img, img.Bounds(), image.NewUniform(color.NRGBA{R: 255, A: 255}), image.Point{}, draw.Src)
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	sum := sha1.Sum(buf.Bytes())
	id := hex.EncodeToString(sum[:])
	c.client.Publish(nsAvatarData, id, "<data xmlns='"+nsAvatarData+"'>"+base64.StdEncoding.EncodeToString(buf.Bytes())+"</data>", changeWait)
	c.client.Publish(nsAvatarMeta, id, "<metadata xmlns='"+nsAvatarMeta+"'><info id='"+id+"' bytes='"+strconv.Itoa(buf.Len())+
		"' type='image/png' width='40' height='40'/></metadata>", changeWait)

	rich := func(p presence.Presence) bool {
		d := p.Details
		return d.Name == "Alice R" && d.Tune != nil && d.Tune.Title == "Roundabout" && d.Tune.Artist == "Yes" && d.AvatarID != ""
	}
	lp := await(t.Context(), t, leader, c.alice, rich)
	op := await(t.Context(), t, other, c.alice, rich)
	if op.Details.AvatarID != lp.Details.AvatarID {
		t.Fatalf("picture id %q on the other replica, %q on the holder", op.Details.AvatarID, lp.Details.AvatarID)
	}
	path := "/avatar/" + c.alice + ".png?size=64"
	code, want := leader.do("GET", path, "", nil)
	if code != http.StatusOK {
		t.Fatalf("holder: GET %s = %d", path, code)
	}
	got, err := png.Decode(strings.NewReader(want))
	if err != nil {
		t.Fatal(err)
	}
	if r, g, b, _ := got.At(32, 32).RGBA(); r>>8 < 200 || g>>8 > 50 || b>>8 > 50 || got.Bounds().Dx() != 64 {
		t.Fatalf("holder serves %v, centre %d,%d,%d: not the red picture published", got.Bounds(), r>>8, g>>8, b>>8)
	}
	if code, body := other.do("GET", path, "", nil); code != http.StatusOK || body != want {
		t.Errorf("other replica: GET %s = %d, same bytes as the holder's: %v", path, code, body == want)
	}
}
