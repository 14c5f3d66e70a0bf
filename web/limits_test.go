package web

import (
	"bufio"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// shortBodyWait is the body deadline of these tests: far below their own
// bounds, so that a missing deadline shows as a test that times out.
const shortBodyWait = 30 * time.Millisecond

// rawRequest sends req over a fresh connection to addr and returns the
// connection, its reader and an end to the whole exchange.
func rawRequest(t *testing.T, addr, req string) (net.Conn, *bufio.Reader) {
	t.Helper()
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	if err := conn.SetDeadline(time.Now().Add(3 * time.Second)); err != nil {
		t.Fatal(err)
	}
	if _, err := io.WriteString(conn, req); err != nil {
		t.Fatal(err)
	}
	return conn, bufio.NewReader(conn)
}

// A client that declares a body and sends only part of it is answered or
// dropped once the body deadline passes, instead of holding its handler.
func TestBodyDeadline(t *testing.T) {
	f := newWSFixture(t, writeOptions(t))
	f.srv.bodyWait = shortBodyWait
	addr := strings.TrimPrefix(f.http.URL, "http://")
	for _, target := range []string{"GET /api/kopano", "PUT /api/kopano", "POST /plugins/presence/status"} {
		_, br := rawRequest(t, addr, target+" HTTP/1.1\r\nHost: badges.test\r\nContent-Type: application/json\r\n"+
			"Content-Length: 100\r\n\r\n{")
		res, err := http.ReadResponse(br, nil)
		if err == nil {
			var body []byte
			body, err = io.ReadAll(res.Body)
			res.Body.Close()
			t.Logf("%s: HTTP %d %s", target, res.StatusCode, body)
			// The answer says what went wrong, never the network error
			// behind it (docs/API.md#deployment).
			if strings.Contains(string(body), "127.0.0.1") || strings.Contains(string(body), "tcp") {
				t.Errorf("%s: the error body carries an address: %s", target, body)
			}
		}
		if ne, ok := errors.AsType[net.Error](err); ok && ne.Timeout() {
			t.Errorf("%s: still waiting for the body: %v", target, err)
		}
	}
}

// Once the body has been read whole, its deadline no longer applies (net/http
// lifts it): the request's context lives on while the handler works.
func TestBodyDeadlineLiftedAfterBody(t *testing.T) {
	s := &Server{bodyWait: shortBodyWait}
	done := make(chan error, 1)
	ts := httptest.NewServer(s.limit(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, err := io.ReadAll(r.Body)
		if err == nil {
			time.Sleep(4 * shortBodyWait) // no condition to await: the deadline must pass
			err = r.Context().Err()
		}
		done <- err
	})))
	defer ts.Close()
	res, err := http.Post(ts.URL, "text/plain", strings.NewReader("hello"))
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if err := <-done; err != nil {
		t.Errorf("after the body: %v", err)
	}
}

// A connection hijacked (as a WebSocket upgrade does) keeps no deadline
// from its request's body (Hijack lifts it).
func TestBodyDeadlineNotInheritedByHijack(t *testing.T) {
	s := &Server{bodyWait: shortBodyWait}
	done := make(chan error, 1)
	ts := httptest.NewServer(s.limit(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		conn, brw, err := http.NewResponseController(w).Hijack()
		if err != nil {
			done <- err
			return
		}
		defer conn.Close()
		time.Sleep(4 * shortBodyWait) // no condition to await: the deadline must pass
		if _, err := conn.Write([]byte("ready\n")); err != nil {
			done <- err
			return
		}
		// The body's byte, then one the client sends only now.
		var b [2]byte
		_, err = io.ReadFull(brw, b[:])
		if err == nil && string(b[:]) != "AB" {
			err = errors.New("read " + string(b[:]))
		}
		done <- err
	})))
	defer ts.Close()
	conn, br := rawRequest(t, strings.TrimPrefix(ts.URL, "http://"),
		"POST / HTTP/1.1\r\nHost: badges.test\r\nContent-Length: 1\r\n\r\nA")
	if line, err := br.ReadString('\n'); err != nil || line != "ready\n" {
		t.Fatalf("read %q: %v", line, err)
	}
	if _, err := conn.Write([]byte("B")); err != nil {
		t.Fatal(err)
	}
	if err := <-done; err != nil {
		t.Errorf("hijacked connection: %v", err)
	}
}

// The body limit holds for the Openfire form too, a handler mounted from
// its own package.
func TestOpenfireLargeForm(t *testing.T) {
	f := newFixture(t, Options{})
	hdr := map[string]string{"Content-Type": "application/x-www-form-urlencoded"}
	form := "jid=" + strings.Repeat("a", 70<<10)
	for _, known := range []bool{true, false} {
		req := httptest.NewRequest("POST", "/plugins/presence/status", strings.NewReader(form))
		for k, v := range hdr {
			req.Header.Set(k, v)
		}
		if !known {
			req.ContentLength = -1 // sent chunked: only parsing the form finds out
		}
		rec := httptest.NewRecorder()
		f.srv.ServeHTTP(rec, req)
		if rec.Code != http.StatusRequestEntityTooLarge || rec.Body.String() != `{"error":"request body larger than 64 KiB"}`+"\n" {
			t.Errorf("length known %v: large form = %d %s", known, rec.Code, rec.Body)
		}
	}
}

// Over a limit, an image route answers with an image that says so, under
// a base path too, so that an <img> never breaks; other routes answer
// JSON (TestLimits).
func TestLimitsOnImageRoutes(t *testing.T) {
	long := "?label=" + strings.Repeat("a", 9000)
	for _, base := range []string{"", "/presence"} {
		f := newFixture(t, Options{BasePath: base})
		for _, c := range []struct {
			target, ctype string
			body          io.Reader
			code          int
		}{
			{"/badge/a@example.com.svg" + long, "image/svg+xml", nil, http.StatusRequestURITooLong},
			{"/icon/a@example.com.svg" + long, "image/svg+xml", nil, http.StatusRequestURITooLong},
			{"/room/r@rooms.example.com.svg" + long, "image/svg+xml", nil, http.StatusRequestURITooLong},
			{"/card/a@example.com.svg" + long, "image/svg+xml", nil, http.StatusRequestURITooLong},
			{"/group/team.png" + long, "image/png", nil, http.StatusRequestURITooLong},
			{"/avatar/a@example.com.png" + long, "image/png", nil, http.StatusRequestURITooLong},
			{"/badge/a@example.com.svg", "image/svg+xml", strings.NewReader(strings.Repeat("x", 70<<10)), http.StatusRequestEntityTooLarge},
			{"/badge/a@example.com.json" + long, "application/json", nil, http.StatusRequestURITooLong},
		} {
			req := httptest.NewRequest("GET", base+c.target, c.body)
			rec := httptest.NewRecorder()
			f.srv.ServeHTTP(rec, req)
			ct := rec.Header().Get("Content-Type")
			if rec.Code != c.code || !strings.HasPrefix(ct, c.ctype) {
				t.Errorf("%s%.40s: %d %s, want %d %s", base, c.target, rec.Code, ct, c.code, c.ctype)
				continue
			}
			if c.ctype == "image/svg+xml" {
				want := "URL longer than 8 KiB"
				if c.code == http.StatusRequestEntityTooLarge {
					want = "request body larger than 64 KiB"
				}
				if !strings.Contains(rec.Body.String(), want) || rec.Header().Get("Content-Security-Policy") == "" {
					t.Errorf("%s%.40s: %s", base, c.target, rec.Body)
				}
			}
		}
	}
}
