package live

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"

	"badges/internal/hubtest"
	"badges/presence"
	"badges/visibility"
)

// wsFixture is an engine serving /ws over a real hub and directory. The
// hub is a recording wrapper, so the engine reaches it through the Hub
// interface alone.
type wsFixture struct {
	hub  *hubtest.Recorder
	dir  *presence.Directory
	eng  *Engine
	http *httptest.Server
}

// newWSFixture serves an engine with opt; verify nil: public visibility.
// The client address is the peer's IP address.
func newWSFixture(t *testing.T, opt Options, verify visibility.Verifier) *wsFixture {
	t.Helper()
	f := &wsFixture{}
	f.hub, f.dir = hubtest.Directory(t)
	opt.Hub, opt.Visibility = f.hub, visibility.New(f.hub, verify)
	f.eng = New(opt)
	f.http = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/ws" {
			http.NotFound(w, r)
			return
		}
		client := netip.MustParseAddrPort(r.RemoteAddr).Addr()
		if no := f.eng.Serve(w, r, client); no != nil {
			if no.RetryAfter > 0 {
				w.Header().Set("Retry-After", strconv.Itoa(int(no.RetryAfter/time.Second)))
			}
			http.Error(w, no.Reason, no.Status)
		}
	}))
	t.Cleanup(f.http.Close)
	return f
}

// online makes jid visible and online with one resource.
func (f *wsFixture) online(t *testing.T, jid string, st presence.Status, msg string) {
	hubtest.Online(t, f.dir, jid, st, msg)
}

// testCtx bounds a test's time.
func testCtx(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	t.Cleanup(cancel)
	return ctx
}

func (f *wsFixture) dial(t *testing.T, ctx context.Context, query string, hdr http.Header) *websocket.Conn {
	t.Helper()
	c, res, err := websocket.Dial(ctx, "ws"+strings.TrimPrefix(f.http.URL, "http")+"/ws"+query,
		&websocket.DialOptions{HTTPHeader: hdr})
	if err != nil {
		code := 0
		if res != nil {
			code = res.StatusCode
		}
		t.Fatalf("dial %s: %v (HTTP %d)", query, err, code)
	}
	t.Cleanup(func() { _ = c.CloseNow() })
	return c
}

// serverFrame is any frame the server sends.
type serverFrame struct {
	Type     string             `json:"type"`
	Presence *presence.Presence `json:"presence"`
	Room     *presence.Room     `json:"room"`
	Error    string             `json:"error"`
}

func readFrame(t *testing.T, ctx context.Context, c *websocket.Conn) serverFrame {
	t.Helper()
	_, b, err := c.Read(ctx)
	if err != nil {
		t.Fatalf("read: %v", err)
	}
	var f serverFrame
	if err := json.Unmarshal(b, &f); err != nil {
		t.Fatalf("frame %s: %v", b, err)
	}
	return f
}

func send(t *testing.T, ctx context.Context, c *websocket.Conn, frame string) {
	t.Helper()
	if err := c.Write(ctx, websocket.MessageText, []byte(frame)); err != nil {
		t.Fatalf("write %s: %v", frame, err)
	}
}

func wantPresence(t *testing.T, f serverFrame, jid string, st presence.Status) {
	t.Helper()
	if f.Type != "presence" || f.Presence == nil || f.Presence.JID != jid || f.Presence.Status != st {
		t.Fatalf("frame %+v, want presence of %s %s", f, jid, st)
	}
}

func wantError(t *testing.T, f serverFrame, substr string) {
	t.Helper()
	if f.Type != "error" || !strings.Contains(f.Error, substr) {
		t.Fatalf("frame %+v %+v, want error with %q", f, f.Presence, substr)
	}
}

func TestWSSnapshotThenChanges(t *testing.T) {
	f := newWSFixture(t, Options{}, nil)
	ctx := testCtx(t)
	f.online(t, "alice@example.com", presence.DND, "busy")
	c := f.dial(t, ctx, "?jid=Alice@Example.com/phone", nil)
	wantPresence(t, readFrame(t, ctx, c), "alice@example.com", presence.DND)

	f.online(t, "alice@example.com", presence.Away, "")
	wantPresence(t, readFrame(t, ctx, c), "alice@example.com", presence.Away)

	send(t, ctx, c, `{"op":"subscribe","rooms":["chat@rooms.example.com"]}`)
	if fr := readFrame(t, ctx, c); fr.Type != "room" || fr.Room.Occupants != 0 {
		t.Fatalf("room snapshot %+v", fr)
	}
	f.dir.SetRoom("chat@rooms.example.com", 3)
	if fr := readFrame(t, ctx, c); fr.Type != "room" || fr.Room.Room != "chat@rooms.example.com" || fr.Room.Occupants != 3 {
		t.Fatalf("room change %+v", fr)
	}

	// After an unsubscribe, changes of that JID no longer arrive.
	send(t, ctx, c, `{"op":"unsubscribe","jids":["alice@example.com"]}`)
	send(t, ctx, c, `{"op":"subscribe","jids":["bob@example.com"]}`) // orders the two frames
	wantPresence(t, readFrame(t, ctx, c), "bob@example.com", presence.Unknown)
	f.online(t, "alice@example.com", presence.Available, "")
	f.online(t, "bob@example.com", presence.Chat, "")
	// Making bob a contact publishes him offline first; a writer that is
	// quick enough delivers that too.
	for {
		fr := readFrame(t, ctx, c)
		if fr.Presence == nil || fr.Presence.JID != "bob@example.com" {
			t.Fatalf("frame %+v, want only bob's", fr)
		}
		if fr.Presence.Status == presence.Chat {
			break
		}
	}

	// The connection followed the hub through its interface alone (the
	// fixture's hub is a recording wrapper), and lets go when it closes.
	if n := f.hub.Subscriptions(); n != 1 {
		t.Errorf("%d subscriptions open, want 1", n)
	}
	_ = c.Close(websocket.StatusNormalClosure, "")
	for f.hub.Subscriptions() != 0 {
		if ctx.Err() != nil {
			t.Fatalf("%d subscriptions still open after the close", f.hub.Subscriptions())
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// A client that does not read must neither block the hub nor miss the
// final value.
func TestWSCoalescesSlowReader(t *testing.T) {
	f := newWSFixture(t, Options{}, nil)
	ctx := testCtx(t)
	jid := "busy@example.com"
	f.online(t, jid, presence.Available, "v0")
	// A small receive buffer fills after a few frames, so that the
	// server's writer really blocks while versions keep coming. It stays
	// above one loopback MSS (about 64 KiB): below that the receiver's
	// window updates never open a full segment, and delivery waits on
	// TCP's backed-off persist timer for seconds, which is the kernel's
	// behaviour, not the server's.
	small := &http.Client{Transport: &http.Transport{DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
		conn, err := (&net.Dialer{}).DialContext(ctx, network, addr)
		if err == nil {
			err = conn.(*net.TCPConn).SetReadBuffer(256 << 10)
		}
		return conn, err
	}}}
	c, _, err := websocket.Dial(ctx, "ws"+strings.TrimPrefix(f.http.URL, "http")+"/ws?jid="+jid,
		&websocket.DialOptions{HTTPClient: small})
	if err != nil {
		t.Fatal(err)
	}
	defer c.CloseNow()
	wantPresence(t, readFrame(t, ctx, c), jid, presence.Available)

	const versions = 20000
	start := time.Now()
	for i := 1; i <= versions; i++ {
		f.dir.SetResource(jid, "phone", presence.Resource{Status: presence.Available, Message: "v" + strconv.Itoa(i)})
	}
	t.Logf("%d publishes to a non-reading subscriber took %v", versions, time.Since(start))

	final := "v" + strconv.Itoa(versions)
	frames := 0
	for {
		fr := readFrame(t, ctx, c)
		frames++
		if fr.Presence.Message == final {
			break
		}
	}
	t.Logf("received %d frames for %d versions", frames, versions)
	if frames >= versions {
		t.Errorf("no version was skipped: %d frames", frames)
	}
}

// Many clients of one JID, changed faster than they are written to, all
// end on the last value and never see an older one after a newer: no
// connection is lost between the flushers, whose number comes and goes
// with the queue.
func TestWSFanOutConverges(t *testing.T) {
	// The connections stand for many clients: neither the connect rate
	// nor the per-client cap applies.
	f := newWSFixture(t, Options{MaxConnsPerClient: -1}, nil)
	ctx := testCtx(t)
	jid := "hot@example.com"
	f.online(t, jid, presence.Available, "v0")
	conns := make([]*websocket.Conn, 64)
	for i := range conns {
		conns[i] = f.dial(t, ctx, "?jid="+jid, nil)
		wantPresence(t, readFrame(t, ctx, conns[i]), jid, presence.Available)
	}
	const versions = 500
	for i := 1; i <= versions; i++ {
		f.dir.SetResource(jid, "phone", presence.Resource{Status: presence.Available, Message: "v" + strconv.Itoa(i)})
	}
	errs := make(chan error, len(conns))
	for _, c := range conns {
		go func() {
			last := 0
			for last < versions {
				_, b, err := c.Read(ctx)
				if err != nil {
					errs <- fmt.Errorf("after v%d: %w", last, err)
					return
				}
				var fr serverFrame
				if err := json.Unmarshal(b, &fr); err != nil || fr.Presence == nil {
					errs <- fmt.Errorf("frame %s: %v", b, err)
					return
				}
				v, _ := strconv.Atoi(strings.TrimPrefix(fr.Presence.Message, "v"))
				if v <= last {
					errs <- fmt.Errorf("v%d after v%d", v, last)
					return
				}
				last = v
			}
			errs <- nil
		}()
	}
	for range conns {
		if err := <-errs; err != nil {
			t.Error(err)
		}
	}
}

func TestWSSubscriptionLimit(t *testing.T) {
	f := newWSFixture(t, Options{}, nil)
	ctx := testCtx(t)
	c := f.dial(t, ctx, "", nil)
	jids := func(from, to int) string {
		var b []string
		for i := from; i < to; i++ {
			b = append(b, fmt.Sprintf("%q", fmt.Sprintf("u%d@example.com", i)))
		}
		return strings.Join(b, ",")
	}
	send(t, ctx, c, `{"op":"subscribe","jids":[`+jids(0, 120)+`]}`)
	send(t, ctx, c, `{"op":"subscribe","jids":[`+jids(120, 200)+`]}`)
	for range 200 {
		readFrame(t, ctx, c)
	}
	send(t, ctx, c, `{"op":"subscribe","jids":["u200@example.com"]}`)
	wantError(t, readFrame(t, ctx, c), "at most 200")

	// The connection stays and room is made by unsubscribing.
	send(t, ctx, c, `{"op":"unsubscribe","jids":["u0@example.com"]}`)
	send(t, ctx, c, `{"op":"subscribe","jids":["u200@example.com"]}`)
	wantPresence(t, readFrame(t, ctx, c), "u200@example.com", presence.Unknown)
}

func TestWSLargeFrameCloses1009(t *testing.T) {
	f := newWSFixture(t, Options{}, nil)
	ctx := testCtx(t)
	c := f.dial(t, ctx, "", nil)
	big := `{"op":"subscribe","jids":["` + strings.Repeat("a", wsMaxFrame) + `@example.com"]}`
	_ = c.Write(ctx, websocket.MessageText, []byte(big))
	_, _, err := c.Read(ctx)
	if got := websocket.CloseStatus(err); got != websocket.StatusMessageTooBig {
		t.Fatalf("close status %v (%v), want 1009", got, err)
	}
}

func TestWSBadFramesKeepConnection(t *testing.T) {
	f := newWSFixture(t, Options{}, nil)
	ctx := testCtx(t)
	c := f.dial(t, ctx, "?jid=@bad", nil)
	wantError(t, readFrame(t, ctx, c), "invalid JID")
	for frame, want := range map[string]string{
		`not json`: "bad frame",
		`{"op":"dance","jids":["a@example.com"]}`:          `op "dance"`,
		`{"op":"subscribe"}`:                               "no jids",
		`{"op":"subscribe","jids":["@x","a@b@c"]}`:         "(and 1 more)",
		`{"op":"subscribe","rooms":["rooms.example.com"]}`: "no local part",
	} {
		send(t, ctx, c, frame)
		wantError(t, readFrame(t, ctx, c), want)
	}
	// The valid topics of a partly bad frame are followed all the same; the
	// error and the value come from different goroutines, in either order.
	send(t, ctx, c, `{"op":"subscribe","jids":["@x","ok@example.com"]}`)
	types := map[string]int{}
	for range 2 {
		types[readFrame(t, ctx, c).Type]++
	}
	if types["error"] != 1 || types["presence"] != 1 {
		t.Fatalf("partly bad frame answered with %v", types)
	}
	if err := c.Write(ctx, websocket.MessageBinary, []byte{1, 2}); err != nil {
		t.Fatal(err)
	}
	wantError(t, readFrame(t, ctx, c), "binary")
	send(t, ctx, c, `{"op":"subscribe","jids":["a@example.com"]}`)
	wantPresence(t, readFrame(t, ctx, c), "a@example.com", presence.Unknown)
}

func TestWSOrigin(t *testing.T) {
	f := newWSFixture(t, Options{Origins: []string{"good.example", "https://*.good.example"}}, nil)
	ctx := testCtx(t)
	for origin, ok := range map[string]bool{
		"http://good.example":      true,
		"https://app.good.example": true,
		"http://evil.example":      false,
		"http://app.good.example":  false,
	} {
		c, res, err := websocket.Dial(ctx, "ws"+strings.TrimPrefix(f.http.URL, "http")+"/ws",
			&websocket.DialOptions{HTTPHeader: http.Header{"Origin": {origin}}})
		if ok != (err == nil) {
			t.Errorf("origin %s: err %v", origin, err)
		}
		if !ok && (res == nil || res.StatusCode != http.StatusForbidden) {
			t.Errorf("origin %s: response %v, want 403", origin, res)
		}
		if c != nil {
			_ = c.CloseNow()
		}
	}
}

func TestWSShutdownCloses1001(t *testing.T) {
	f := newWSFixture(t, Options{}, nil)
	ctx := testCtx(t)
	conns := []*websocket.Conn{f.dial(t, ctx, "?jid=a@example.com", nil), f.dial(t, ctx, "", nil)}
	readFrame(t, ctx, conns[0])
	done := make(chan error, 1)
	go func() { done <- f.eng.Shutdown(ctx) }()
	for _, c := range conns {
		_, _, err := c.Read(ctx)
		if got := websocket.CloseStatus(err); got != websocket.StatusGoingAway {
			t.Errorf("close status %v (%v), want 1001", got, err)
		}
	}
	if err := <-done; err != nil {
		t.Fatalf("Shutdown: %v", err)
	}
	if n := f.eng.open.Load(); n != 0 {
		t.Errorf("%d connections still open after Shutdown", n)
	}
	_, res, err := websocket.Dial(ctx, "ws"+strings.TrimPrefix(f.http.URL, "http")+"/ws", nil)
	if err == nil || res.StatusCode != http.StatusServiceUnavailable {
		t.Errorf("dial after Shutdown: %v", err)
	}
}

func TestWSSignedVisibility(t *testing.T) {
	f := newWSFixture(t, Options{}, func(tp presence.Topic, sig string) bool { return sig == "ok-"+tp.Name })
	ctx := testCtx(t)
	f.online(t, "a@example.com", presence.Available, "")
	f.online(t, "b@example.com", presence.Available, "")
	f.online(t, "c@example.com", presence.Available, "")
	f.dir.SetRoom("r@rooms.example.com", 4)
	c := f.dial(t, ctx, "?jid=a@example.com&sig=ok-a@example.com&jid=b@example.com&sig=wrong&room=r@rooms.example.com&sig=ok-r@rooms.example.com", nil)
	got := map[string]serverFrame{}
	for range 3 {
		fr := readFrame(t, ctx, c)
		if fr.Room != nil {
			got[fr.Room.Room] = fr
		} else {
			got[fr.Presence.JID] = fr
		}
	}
	if got["a@example.com"].Presence.Status != presence.Available || got["b@example.com"].Presence.Status != presence.Unknown ||
		got["r@rooms.example.com"].Room.Occupants != 4 {
		t.Fatalf("snapshot %+v", got)
	}
	send(t, ctx, c, `{"op":"subscribe","jids":["C@example.com"],"sigs":{"C@example.com":"ok-c@example.com"}}`)
	wantPresence(t, readFrame(t, ctx, c), "c@example.com", presence.Available)

	// b is hidden and never followed: only a's change arrives.
	f.online(t, "b@example.com", presence.DND, "")
	f.online(t, "a@example.com", presence.Away, "")
	wantPresence(t, readFrame(t, ctx, c), "a@example.com", presence.Away)
}

// A peer that stops answering pings is closed.
func TestWSDeadPeerClosed(t *testing.T) {
	f := newWSFixture(t, Options{}, nil)
	f.eng.timing = wsTiming{pingPeriod: 20 * time.Millisecond, pongWait: 50 * time.Millisecond, writeWait: time.Second}
	ctx := testCtx(t)
	f.dial(t, ctx, "", nil) // never reads, so never answers a ping
	tick := time.NewTicker(10 * time.Millisecond)
	defer tick.Stop()
	for f.eng.open.Load() != 0 {
		select {
		case <-ctx.Done():
			t.Fatal("dead peer still open")
		case <-tick.C:
		}
	}
}
