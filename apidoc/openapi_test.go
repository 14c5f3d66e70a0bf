package apidoc_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"regexp"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/pb33f/libopenapi"
	validator "github.com/pb33f/libopenapi-validator"
	"github.com/pb33f/libopenapi-validator/config"
	verrors "github.com/pb33f/libopenapi-validator/errors"
	"github.com/pb33f/libopenapi-validator/paths"
	"github.com/pb33f/libopenapi-validator/schema_validation"
	v3 "github.com/pb33f/libopenapi/datamodel/high/v3"
	"golang.org/x/time/rate"

	"badges/apidoc"
	"badges/auth"
	"badges/presence"
	"badges/store"
	"badges/web"
)

// Credentials and names the servers under test know.
const (
	secret    = "openapi-test-secret"
	keyAll    = "Unlimited0123456789abcdef"
	keyOrg    = "OrgOnly0123456789abcdefg" // scoped to example.org
	alice     = "alice@example.com"
	bob       = "bob@example.com"
	room      = "chat@rooms.example.com"
	group     = "team"
	redirects = "img.example.net"
)

// spec is the document parsed once, with a validator over it.
type spec struct {
	model *v3.Document
	v     validator.Validator // strict
	loose validator.Validator // for the document's own answer
	opts  *config.ValidationOptions

	mu   sync.Mutex
	seen map[string]map[int]bool // "GET /path/{x}" -> statuses answered
}

func loadSpec(t *testing.T) *spec {
	t.Helper()
	doc, err := libopenapi.NewDocument(apidoc.JSON)
	if err != nil {
		t.Fatalf("parse openapi.json: %v", err)
	}
	if v := doc.GetVersion(); v != "3.1.0" {
		t.Fatalf("openapi.json is OpenAPI %s, want 3.1.0", v)
	}
	m, err := doc.BuildV3Model()
	if err != nil {
		t.Fatalf("openapi.json: build model: %v", err)
	}
	// Strict mode also fails on query parameters, headers and JSON
	// members the document does not declare. The document itself is all
	// open maps (paths, schemas...), so its own answer is checked loosely.
	v, errs := validator.NewValidator(doc, config.WithFormatAssertions(), config.WithStrictMode())
	if len(errs) > 0 {
		t.Fatalf("openapi.json: validator: %v", errs)
	}
	loose, errs := validator.NewValidator(doc, config.WithFormatAssertions())
	if len(errs) > 0 {
		t.Fatalf("openapi.json: validator: %v", errs)
	}
	if ok, verrs := v.ValidateDocument(); !ok {
		t.Fatalf("openapi.json is not a valid OpenAPI 3.1 document:\n%s", describe(verrs))
	}
	return &spec{model: &m.Model, v: v, loose: loose, opts: config.NewValidationOptions(), seen: map[string]map[int]bool{}}
}

// describe lists validation errors with their reasons.
func describe(errs []*verrors.ValidationError) string {
	var b strings.Builder
	for _, e := range errs {
		fmt.Fprintf(&b, "  - %s: %s\n", e.Message, e.Reason)
		for _, f := range e.SchemaValidationErrors {
			fmt.Fprintf(&b, "      %s at %s (%s)\n", f.Reason, f.FieldPath, f.KeywordLocation)
		}
	}
	return b.String()
}

// operation names the documented operation a request hits, or "".
func (s *spec) operation(r *http.Request) string {
	item, _, tmpl := paths.FindPath(r, s.model, s.opts)
	if item == nil || item.GetOperations().GetOrZero(strings.ToLower(r.Method)) == nil {
		return ""
	}
	return r.Method + " " + tmpl
}

// check validates a request and the answer it got. badRequest: the
// document itself rules the request out (a required parameter or header
// missing), so its validation must fail; the answer must match either way.
func (s *spec) check(t *testing.T, req *http.Request, body []byte, res *http.Response, resBody []byte, badRequest bool) {
	t.Helper()
	if op := s.operation(req); op != "" {
		s.mu.Lock()
		if s.seen[op] == nil {
			s.seen[op] = map[int]bool{}
		}
		s.seen[op][res.StatusCode] = true
		s.mu.Unlock()
	}
	vr := req.Clone(context.Background())
	vr.Body = io.NopCloser(bytes.NewReader(body))
	ok, errs := s.v.ValidateHttpRequestSync(vr)
	switch {
	case badRequest && ok:
		t.Errorf("%s %s: the document accepts a request the server refuses (%d)", req.Method, req.URL.RequestURI(), res.StatusCode)
	case !badRequest && !ok:
		t.Errorf("%s %s: request does not match the document:\n%s", req.Method, req.URL.RequestURI(), describe(errs))
	}
	vr = req.Clone(context.Background())
	vr.Body = io.NopCloser(bytes.NewReader(body))
	res.Body = io.NopCloser(bytes.NewReader(resBody))
	rv := s.v
	if req.URL.Path == "/openapi.json" {
		rv = s.loose
	}
	if ok, errs := rv.ValidateHttpResponse(vr, res); !ok {
		t.Errorf("%s %s: answer %d (%s) does not match the document:\n%s\nbody: %.300s",
			req.Method, req.URL.RequestURI(), res.StatusCode, res.Header.Get("Content-Type"), describe(errs), resBody)
	}
}

// checkFrame validates a WebSocket frame against a component schema.
func (s *spec) checkFrame(t *testing.T, schemaName string, frame []byte) {
	t.Helper()
	proxy := s.model.Components.Schemas.GetOrZero(schemaName)
	if proxy == nil {
		t.Fatalf("openapi.json has no schema %s", schemaName)
	}
	sv := schema_validation.NewSchemaValidator()
	if ok, errs := sv.ValidateSchemaBytesWithVersion(proxy.Schema(), frame, 3.1); !ok {
		t.Errorf("frame %s does not match %s:\n%s", frame, schemaName, describe(errs))
	}
}

// checkComponent validates an answer that no operation describes against
// a response of the document's components: its required headers and
// their values, and its JSON body.
func (s *spec) checkComponent(t *testing.T, name string, res *http.Response, body []byte) {
	t.Helper()
	resp := s.model.Components.Responses.GetOrZero(name)
	if resp == nil {
		t.Fatalf("openapi.json has no response %s", name)
	}
	sv := schema_validation.NewSchemaValidator()
	for hname, h := range resp.Headers.FromOldest() {
		v := res.Header.Get(hname)
		if v == "" {
			if h.Required {
				t.Errorf("%s answer lacks header %s", name, hname)
			}
			continue
		}
		if h.Schema == nil {
			continue
		}
		schema := h.Schema.Schema()
		val := any(v)
		if slices.Contains(schema.Type, "integer") {
			var n int
			if _, err := fmt.Sscan(v, &n); err != nil {
				t.Errorf("%s answer: header %s = %q, want an integer", name, hname, v)
				continue
			}
			val = n
		}
		if ok, errs := sv.ValidateSchemaObjectWithVersion(schema, val, 3.1); !ok {
			t.Errorf("%s answer: header %s = %q:\n%s", name, hname, v, describe(errs))
		}
	}
	if resp.Content == nil {
		return
	}
	media := resp.Content.GetOrZero("application/json")
	if media == nil {
		return
	}
	if !strings.HasPrefix(res.Header.Get("Content-Type"), "application/json") {
		t.Errorf("%s answer is %s, want JSON", name, res.Header.Get("Content-Type"))
	}
	if ok, errs := sv.ValidateSchemaBytesWithVersion(media.Schema.Schema(), body, 3.1); !ok {
		t.Errorf("%s answer %s:\n%s", name, body, describe(errs))
	}
}

// server is a real web.Server on a loopback port, over a real hub,
// directory and store.
type server struct {
	url string
	srv *web.Server
	dir *presence.Directory
}

func startServer(t *testing.T, opt web.Options) *server {
	t.Helper()
	st, err := store.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	hub := presence.NewMemHub()
	dir, err := presence.NewDirectory(hub, st, presence.DirectoryOptions{ShowMessages: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(dir.Close)
	keys, err := auth.ParseKeys([]string{keyAll, keyOrg + ":domain=example.org"})
	if err != nil {
		t.Fatal(err)
	}
	opt.Hub, opt.Directory = hub, dir
	opt.APIKeys, opt.TokenSecret = keys, []byte(secret)
	opt.RedirectHosts = []string{redirects}
	srv := web.New(opt)
	ts := httptest.NewServer(srv)
	t.Cleanup(ts.Close)
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := srv.Shutdown(ctx); err != nil {
			t.Error(err)
		}
	})
	// alice shares her presence with the watcher and is in a meeting.
	if err := dir.SetRosterItem(alice, presence.RosterItem{Subscribed: true, Groups: []string{group}}); err != nil {
		t.Fatal(err)
	}
	dir.SetResource(alice, "phone", presence.Resource{Status: presence.DND, Message: "In a meeting", Changed: time.Now()})
	dir.SetRoom(room, 3)
	return &server{url: ts.URL, srv: srv, dir: dir}
}

// call is one request and the status it must get.
type call struct {
	method, target string
	body, ctype    string
	hdr            map[string]string
	want           int
	// badRequest: the document rules the request out itself.
	badRequest bool
	// once: not sent again with If-None-Match (it would use up a limit).
	once bool
}

// do sends c to the server, checks the status and validates both sides.
// A GET answered 200 with an ETag is sent again with If-None-Match, and
// must then be a 304 that matches the document too.
func (s *server) do(t *testing.T, sp *spec, c call) []byte {
	t.Helper()
	if c.method == "" {
		c.method = http.MethodGet
	}
	res, body := s.send(t, sp, c, nil)
	if res.StatusCode != c.want {
		t.Errorf("%s %s = %d, want %d; body: %.300s", c.method, c.target, res.StatusCode, c.want, body)
	}
	if etag := res.Header.Get("ETag"); c.method == http.MethodGet && res.StatusCode == 200 && etag != "" && !c.once {
		res2, _ := s.send(t, sp, c, map[string]string{"If-None-Match": etag})
		if res2.StatusCode != http.StatusNotModified {
			t.Errorf("%s %s with If-None-Match %s = %d, want 304", c.method, c.target, etag, res2.StatusCode)
		}
	}
	return body
}

func (s *server) send(t *testing.T, sp *spec, c call, extra map[string]string) (*http.Response, []byte) {
	t.Helper()
	req, err := http.NewRequest(c.method, s.url+c.target, strings.NewReader(c.body))
	if err != nil {
		t.Fatal(err)
	}
	if c.body == "" {
		req.Body, req.ContentLength = http.NoBody, 0
	}
	if c.ctype != "" {
		req.Header.Set("Content-Type", c.ctype)
	} else if c.body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	for k, v := range c.hdr {
		req.Header.Set(k, v)
	}
	for k, v := range extra {
		req.Header.Set(k, v)
	}
	res, err := noRedirects.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", c.method, c.target, err)
	}
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatalf("%s %s: read: %v", c.method, c.target, err)
	}
	sp.check(t, req, []byte(c.body), res, body, c.badRequest)
	return res, body
}

// noRedirects hands a redirect back instead of following it: the server
// never fetches the URLs it redirects to, and neither does the test.
var noRedirects = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

func bearer(cred string) map[string]string {
	return map[string]string{"Authorization": "Bearer " + cred}
}

// kopano is a kopano-presence body for token and users, each
// "user_id" or "user_id=state" to write spreed.
func kopano(token string, users ...string) string {
	type src struct {
		Status  string `json:"status"`
		Message string `json:"message"`
	}
	type user struct {
		UserID string `json:"user_id"`
		Spreed *src   `json:"spreed,omitempty"`
	}
	body := struct {
		AuthenticationToken string
		Type                string
		UserStatus          []user
	}{token, "UserStatus", []user{}}
	for _, u := range users {
		id, state, ok := strings.Cut(u, "=")
		us := user{UserID: id}
		if ok {
			us.Spreed = &src{Status: state, Message: "on a call"}
		}
		body.UserStatus = append(body.UserStatus, us)
	}
	b, _ := json.Marshal(body)
	return string(b)
}

// TestOpenAPIAnswers sends a request for every documented operation and
// its main error cases to a running server, and validates every request
// and answer against apidoc/openapi.json.
func TestOpenAPIAnswers(t *testing.T) {
	sp := loadSpec(t)
	s := startServer(t, web.Options{})
	now := time.Now()
	tokAlice := auth.NewToken([]byte(secret), alice, now)
	tokBob := auth.NewToken([]byte(secret), bob, now)
	esc := url.QueryEscape
	put := func(body string) string { return body }

	calls := []call{
		// Operations.
		{target: "/healthz", want: 200},
		{target: "/readyz", want: 200},
		{target: "/metrics", want: 200},
		{target: "/openapi.json", want: 200},

		// Badges and images.
		{target: "/badge/" + alice + ".svg", want: 200},
		{target: "/badge/" + alice + ".svg?style=for-the-badge&label=me&message=text&color=blue&labelColor=%23abc&dnd=purple&logo=xmpp&sig=x", want: 200},
		{target: "/badge/" + alice + ".svg?label=", want: 200},
		{target: "/badge/nobody@example.com.svg", want: 200},
		{target: "/badge/a@b@c.svg", want: 400},
		{target: "/badge/" + alice + ".png?scale=2&style=social", want: 200},
		{target: "/badge/a@b@c.png", want: 400},
		{target: "/icon/" + alice + ".svg?size=64", want: 200},
		{target: "/icon/" + alice + ".png?size=128&dnd=blue", want: 200},
		{target: "/icon/@example.com.svg", want: 400},
		{target: "/icon/@example.com.png", want: 400},
		{target: "/room/" + room + ".svg?label=Chat", want: 200},
		{target: "/room/" + room + ".png?scale=3", want: 200},
		{target: "/room/rooms.example.com.svg", want: 400},
		{target: "/room/rooms.example.com.png", want: 400},
		{target: "/avatar/" + alice + ".png", want: 200},
		{target: "/avatar/" + alice + ".png?size=64&v=0123456789abcdef", want: 200},
		{target: "/avatar/nobody@example.com.png?size=512", want: 200},
		{target: "/avatar/a@b@c.png", want: 400},
		{target: "/avatar/" + alice + ".png?size=9", want: 400, badRequest: true},
		{target: "/card/" + alice + ".svg", want: 200},
		{target: "/card/" + alice + ".svg?theme=dark&sig=x", want: 200},
		{target: "/card/nobody@example.com.svg?theme=auto", want: 200},
		{target: "/card/a@b@c.svg", want: 400},
		{target: "/card/" + alice + ".png?theme=light&scale=2", want: 200},
		{target: "/card/a@b@c.png", want: 400},
		{target: "/group/" + group + ".svg", want: 200},
		{target: "/group/" + group + ".svg?style=social&label=Team&color=blue&labelColor=555&logo=xmpp", want: 200},
		{target: "/group/nogroup.svg", want: 200},
		{target: "/group/%01.svg", want: 400},
		{target: "/group/" + group + ".png?scale=2", want: 200},
		{target: "/group/%01.png", want: 400},

		// JSON.
		{target: "/api/v1/presence/" + alice, want: 200},
		{target: "/api/v1/presence/Alice@Example.com", want: 200},
		{target: "/api/v1/presence/nobody@example.com", want: 200},
		{target: "/api/v1/presence/a@b@c", want: 400},
		{target: "/api/v1/presence?jid=" + alice + "&jid=nobody@example.com", want: 200},
		{target: "/api/v1/presence", want: 400, badRequest: true},
		{target: "/api/v1/presence?jid=a@b@c", want: 400},
		// The document says maxItems 100, which the validator does not
		// check on a repeated query parameter.
		{target: "/api/v1/presence?" + strings.Repeat("jid="+alice+"&", 101), want: 400},
		{target: "/api/v1/rooms/" + room, want: 200},
		{target: "/api/v1/rooms/nothing@rooms.example.com", want: 200},
		{target: "/api/v1/rooms/rooms.example.com", want: 400},
		{target: "/shields/" + alice + ".json", want: 200},
		{target: "/shields/" + alice + ".json?style=flat-square&label=x&message=text&color=ff0000&labelColor=blue&logo=xmpp", want: 200},
		{target: "/shields/a@b@c.json", want: 400},
		{target: "/shields/room/" + room + ".json", want: 200},
		{target: "/shields/room/rooms.example.com.json", want: 400},
		{target: "/api/v1/groups/" + group, want: 200},
		{target: "/api/v1/groups/nogroup", want: 200},
		{target: "/api/v1/groups/%01", want: 400},
		{target: "/badge/" + alice + ".svg?message=seen", want: 200},
		{target: "/badge/" + alice + ".svg?message=tune", want: 200},

		// Writing presence.
		{method: "PUT", target: "/api/v1/presence/" + bob, body: put(`{"status":"away","message":"lunch","ttl":600}`), hdr: bearer(keyAll), want: 200},
		{method: "PUT", target: "/api/v1/presence/" + bob, body: `{"status":"chat"}`, hdr: bearer(tokBob), want: 200},
		{method: "PUT", target: "/api/v1/presence/" + bob, body: `{"status":"away"}`, hdr: bearer(tokAlice), want: 403},
		{method: "PUT", target: "/api/v1/presence/" + bob, body: `{"status":"away"}`, hdr: bearer(keyOrg), want: 403},
		{method: "PUT", target: "/api/v1/presence/" + bob, body: `{"status":"away"}`, hdr: bearer("Wrong0123456789abcdefghij"), want: 401},
		{method: "PUT", target: "/api/v1/presence/" + bob, body: `{"status":"away"}`, want: 401, badRequest: true},
		{method: "PUT", target: "/api/v1/presence/" + bob, body: `{"status":"unknown"}`, hdr: bearer(keyAll), want: 400, badRequest: true},
		{method: "PUT", target: "/api/v1/presence/" + bob, body: `{"status":"away","ttl":0}`, hdr: bearer(keyAll), want: 400, badRequest: true},
		{method: "PUT", target: "/api/v1/presence/" + bob, body: `{"message":"x"}`, hdr: bearer(keyAll), want: 400, badRequest: true},
		{method: "PUT", target: "/api/v1/presence/a@b@c", body: `{"status":"away"}`, hdr: bearer(keyAll), want: 400},
		{method: "PUT", target: "/api/v1/presence/" + bob, body: `{"status":"away","message":"` + strings.Repeat("x", 70<<10) + `"}`, hdr: bearer(keyAll), want: 413},
		{method: "DELETE", target: "/api/v1/presence/" + bob, hdr: bearer(keyAll), want: 200},
		{method: "DELETE", target: "/api/v1/presence/" + bob, want: 401, badRequest: true},
		{method: "DELETE", target: "/api/v1/presence/" + bob, hdr: bearer(keyOrg), want: 403},
		{method: "DELETE", target: "/api/v1/presence/a@b@c", hdr: bearer(keyAll), want: 400},

		// Compatibility: Openfire.
		{target: "/plugins/presence/status?jid=" + alice, want: 200},
		{target: "/plugins/presence/status?jid=" + alice + "&type=text", want: 200},
		{target: "/plugins/presence/status?jid=" + alice + "&type=xml&req_jid=x@example.com", want: 200},
		{target: "/plugins/presence/status?jid=nobody@example.com&type=xml", want: 200},
		{target: "/plugins/presence/status?jid=" + alice + "&images=" + esc("https://"+redirects+"/--IMAGE--.png"), want: 302},
		{target: "/plugins/presence/status?jid=" + alice + "&dnd=" + esc("https://"+redirects+"/busy.png"), want: 302},
		{target: "/plugins/presence/status?jid=" + alice + "&images=" + esc("https://evil.example.com/--IMAGE--"), want: 400},
		{target: "/plugins/presence/status?jid=" + alice + "&type=json", want: 400, badRequest: true},
		{target: "/plugins/presence/status?type=text", want: 400, badRequest: true},
		{target: "/plugins/presence/status?jid=a@b@c&type=xml", want: 400},
		{target: "/plugins/presence/status?jid=a@b@c", want: 400},
		{method: "POST", target: "/plugins/presence/status", body: "jid=" + esc(alice) + "&type=text", ctype: "application/x-www-form-urlencoded", want: 200},
		{method: "POST", target: "/plugins/presence/status?type=xml", body: "jid=" + esc(alice), ctype: "application/x-www-form-urlencoded", want: 200},
		{method: "POST", target: "/plugins/presence/status", body: "jid=a%40b%40c&type=text", ctype: "application/x-www-form-urlencoded", want: 400},
		{method: "POST", target: "/plugins/presence/status", body: "jid=" + esc(alice) + "&dnd=" + esc("http://"+redirects+"/dnd.png"), ctype: "application/x-www-form-urlencoded", want: 302},
		{method: "PUT", target: "/api/kopano", body: kopano(tokBob, bob+"=busy", strings.Repeat("x", 70<<10)), want: 413},

		// Compatibility: kopano.
		{method: "PUT", target: "/api/kopano", body: kopano(tokBob, bob+"=busy"), want: 200},
		{method: "PUT", target: "/api/kopano", body: kopano(tokBob, alice+"=busy"), want: 403},
		{method: "PUT", target: "/api/kopano", body: kopano("1:"+bob+":AAAA", bob+"=busy"), want: 401},
		{method: "PUT", target: "/api/kopano", body: kopano(tokBob, bob+"=sleeping"), want: 400, badRequest: true},
		{method: "PUT", target: "/api/kopano", body: `{"AuthenticationToken":"x"}`, want: 400, badRequest: true},
		{method: "POST", target: "/api/kopano", body: kopano(tokBob, bob+"=away", alice), want: 200},
		{method: "POST", target: "/api/kopano", body: kopano(tokBob, alice+"=away"), want: 403},
		{method: "POST", target: "/api/kopano", body: kopano(""), want: 401},
		{method: "POST", target: "/api/kopano", body: `{"UserStatus":[{"user_id":"a@b@c"}]}`, want: 400},
		{method: "GET", target: "/api/kopano", body: kopano(tokAlice, alice, bob), want: 200},
		{method: "GET", target: "/api/kopano", body: kopano(tokAlice, "a@b@c"), want: 400},
		{method: "GET", target: "/api/kopano", body: kopano("nonsense", alice), want: 401},
		{method: "GET", target: "/api/kopano", body: `{"Type":"UserStatus","UserStatus":[` + strings.Repeat(`{"user_id":"a@example.com"},`, 3000) + `{"user_id":"a@example.com"}]}`, want: 413, badRequest: true},

		// Live: a plain GET is no WebSocket handshake.
		{target: "/ws", want: 426, badRequest: true},
		{target: "/ws", hdr: map[string]string{"Connection": "Upgrade", "Upgrade": "websocket", "Sec-WebSocket-Version": "13"}, want: 400, badRequest: true},

		// Pages.
		{target: "/", want: 200},
		{target: "/?jid=" + alice + "&theme=dark", want: 200},
		{target: "/embed/" + alice + "?theme=light", want: 200},
		{target: "/embed/a@b@c", want: 400},
		{target: "/embed/room/" + room, want: 200},
		{target: "/embed/room/rooms.example.com", want: 400},
		{target: "/dashboard?jid=" + alice + "&jid=" + bob + "&room=" + room, want: 200},
		{target: "/dashboard", want: 400},
		{target: "/dashboard?jid=a@b@c", want: 400},
		{target: "/dashboard/" + group, want: 200},
		{target: "/dashboard/nogroup", want: 200},
		{target: "/favicon.ico", want: 200},
		{target: "/widget.js", want: 200},
		{target: "/static/nosuch.js", want: 404},

		// Every route: a request target over 8 KiB.
		{target: "/badge/" + alice + ".svg?label=" + strings.Repeat("a", 9000), want: 414},
		{target: "/api/v1/presence/" + alice + "?sig=" + strings.Repeat("a", 9000), want: 414},
		{method: "PUT", target: "/api/v1/presence/" + strings.Repeat("a", 9000) + "@example.com", body: `{"status":"away"}`, hdr: bearer(keyAll), want: 414},
	}
	for _, c := range calls {
		s.do(t, sp, c)
	}

	// A hashed asset, named by the page that loads it.
	page := string(s.do(t, sp, call{target: "/", want: 200}))
	for _, m := range regexp.MustCompile(`/static/[^"]+`).FindAllString(page, -1) {
		s.do(t, sp, call{target: m, want: 200})
	}
	// The document serves itself, and is the embedded one.
	if got := s.do(t, sp, call{target: "/openapi.json", want: 200}); !bytes.Equal(got, apidoc.JSON) {
		t.Error("/openapi.json is not the embedded document")
	}

	// Answers outside any operation: a known path with a wrong method,
	// and a CORS preflight of a public GET.
	for _, c := range []struct {
		method, target, component string
		want                      int
	}{
		{"POST", "/badge/" + alice + ".svg", "MethodNotAllowed", 405},
		{"DELETE", "/api/kopano", "MethodNotAllowed", 405},
		{"PATCH", "/api/v1/presence/" + alice, "MethodNotAllowed", 405},
		{"OPTIONS", "/api/v1/presence/" + alice, "Preflight", 204},
		{"OPTIONS", "/badge/" + alice + ".svg", "Preflight", 204},
	} {
		req, _ := http.NewRequest(c.method, s.url+c.target, nil)
		req.Header.Set("Origin", "https://elsewhere.example")
		req.Header.Set("Access-Control-Request-Method", "GET")
		res, err := noRedirects.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode != c.want {
			t.Errorf("%s %s = %d, want %d", c.method, c.target, res.StatusCode, c.want)
		}
		sp.checkComponent(t, c.component, res, body)
	}

	s.webSocket(t, sp, "?jid="+alice+"&room="+room)
	limitAnswers(t, sp)
	sp.requireCovered(t)
}

// limitAnswers covers the answers of the limits and of signed visibility,
// each on a server configured for it.
func limitAnswers(t *testing.T, sp *spec) {
	t.Helper()
	tiny := rate.Limit(1e-6)
	s := startServer(t, web.Options{
		WriteRate: tiny, WriteBurst: 1, ConnectRate: tiny, ConnectBurst: 2, MaxConns: 1,
		Ready: func() string { return "xmpp watcher not connected" },
	})
	tok := auth.NewToken([]byte(secret), bob, time.Now())
	for _, c := range []call{
		{target: "/readyz", want: 503},
		{method: "PUT", target: "/api/v1/presence/" + bob, body: `{"status":"away"}`, hdr: bearer(keyAll), want: 200},
		{method: "PUT", target: "/api/v1/presence/" + bob, body: `{"status":"away"}`, hdr: bearer(keyAll), want: 429},
		{method: "DELETE", target: "/api/v1/presence/" + bob, hdr: bearer(keyAll), want: 429},
		{method: "PUT", target: "/api/kopano", body: kopano(tok, bob+"=busy"), want: 429},
		{method: "POST", target: "/api/kopano", body: kopano(tok, bob+"=busy"), want: 429},
		{method: "GET", target: "/api/kopano", body: kopano(tok, bob), want: 200, once: true},
		{method: "GET", target: "/api/kopano", body: kopano(tok, bob), want: 429},
	} {
		s.do(t, sp, c)
	}
	// The first socket takes the only slot, the second finds the server
	// full (503), the third has used up the client's connects (429).
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	first := s.dialWS(t, ctx, sp, "?jid="+alice, 101)
	s.dialWS(t, ctx, sp, "", 503)
	s.dialWS(t, ctx, sp, "", 429)
	first.Close(websocket.StatusNormalClosure, "")

	// Signed visibility.
	secretBytes := []byte(secret)
	signed := startServer(t, web.Options{Origins: []string{"app.example.com"}, Verify: func(tp presence.Topic, sig string) bool {
		kind := auth.KindJID
		if tp.Kind == presence.KindRoom {
			kind = auth.KindRoom
		}
		return auth.VerifySig(secretBytes, kind, tp.Name, sig)
	}})
	sig := auth.Sign(secretBytes, auth.KindJID, alice)
	for _, c := range []call{
		{method: "PUT", target: "/api/v1/presence/" + bob, body: `{"status":"away"}`, hdr: bearer(keyAll), want: 204},
		{method: "DELETE", target: "/api/v1/presence/" + bob, hdr: bearer(keyAll), want: 204},
		{target: "/api/v1/presence/" + alice + "?sig=" + url.QueryEscape(sig), want: 200},
		{target: "/api/v1/presence/" + alice, want: 200},
		{target: "/dashboard/" + group, want: 404},
		{target: "/group/" + group + ".svg", want: 404},
		{target: "/group/" + group + ".png", want: 404},
		{target: "/api/v1/groups/" + group, want: 404},
		{target: "/card/" + alice + ".svg?sig=" + url.QueryEscape(sig), want: 200},
	} {
		signed.do(t, sp, c)
	}
	// A page of another site may not open a socket.
	signed.dialWS(t, ctx, sp, "", 403, "Origin", "https://evil.example.net")
	signed.dialWS(t, ctx, sp, "", 101, "Origin", "https://app.example.com").Close(websocket.StatusNormalClosure, "")
}

// TestOpenAPIUnderBasePath: under -base-path the document is served
// there, and its relative server URL resolves to the base path, where
// every route lives.
func TestOpenAPIUnderBasePath(t *testing.T) {
	sp := loadSpec(t)
	s := startServer(t, web.Options{BasePath: "/p"})
	res, err := http.Get(s.url + "/p/openapi.json")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != 200 || !bytes.Equal(body, apidoc.JSON) {
		t.Fatalf("GET /p/openapi.json = %d, not the document", res.StatusCode)
	}
	docURL, _ := url.Parse(s.url + "/p/openapi.json")
	server := docURL.ResolveReference(&url.URL{Path: sp.model.Servers[0].URL})
	for _, path := range []string{"api/v1/presence/" + alice, "badge/" + alice + ".svg"} {
		res, err := http.Get(server.String() + path)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != 200 {
			t.Errorf("GET %s%s = %d, want 200", server, path, res.StatusCode)
		}
	}
}

// recorder is a transport that keeps the requests it carries, so that a
// WebSocket handshake made by the client library can be validated as sent.
type recorder struct {
	mu   sync.Mutex
	reqs []*http.Request
}

func (r *recorder) RoundTrip(req *http.Request) (*http.Response, error) {
	r.mu.Lock()
	r.reqs = append(r.reqs, req.Clone(context.Background()))
	r.mu.Unlock()
	return http.DefaultTransport.RoundTrip(req)
}

func (r *recorder) last() *http.Request {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.reqs[len(r.reqs)-1]
}

// dialWS opens a WebSocket and validates the handshake's request and
// answer; want is the status the handshake must get.
func (s *server) dialWS(t *testing.T, ctx context.Context, sp *spec, query string, want int, hdr ...string) *websocket.Conn {
	t.Helper()
	rec := &recorder{}
	target := "ws" + strings.TrimPrefix(s.url, "http") + "/ws" + query
	h := http.Header{}
	for i := 0; i+1 < len(hdr); i += 2 {
		h.Set(hdr[i], hdr[i+1])
	}
	conn, res, err := websocket.Dial(ctx, target, &websocket.DialOptions{HTTPClient: &http.Client{Transport: rec}, HTTPHeader: h})
	if res == nil {
		t.Fatalf("dial %s: %v", target, err)
	}
	if res.StatusCode != want {
		t.Fatalf("dial %s = %d, want %d (%v)", target, res.StatusCode, want, err)
	}
	var body []byte
	if want != http.StatusSwitchingProtocols {
		body, _ = io.ReadAll(res.Body)
	}
	sp.check(t, rec.last(), nil, res, body, false)
	return conn
}

// webSocket subscribes over a real WebSocket and validates every frame
// both ways against the document's ClientFrame and ServerFrame.
func (s *server) webSocket(t *testing.T, sp *spec, query string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c := s.dialWS(t, ctx, sp, query, http.StatusSwitchingProtocols)
	defer c.CloseNow()
	read := func() map[string]any {
		t.Helper()
		_, b, err := c.Read(ctx)
		if err != nil {
			t.Fatalf("read frame: %v", err)
		}
		sp.checkFrame(t, "ServerFrame", b)
		var f map[string]any
		if err := json.Unmarshal(b, &f); err != nil {
			t.Fatalf("frame %s: %v", b, err)
		}
		return f
	}
	send := func(frame string) {
		t.Helper()
		sp.checkFrame(t, "ClientFrame", []byte(frame))
		if err := c.Write(ctx, websocket.MessageText, []byte(frame)); err != nil {
			t.Fatal(err)
		}
	}
	types := map[string]int{}
	for range 2 { // the current values of the JID and the room
		types[read()["type"].(string)]++
	}
	send(`{"op":"subscribe","jids":["` + bob + `"]}`)
	types[read()["type"].(string)]++
	send(`{"op":"subscribe","jids":["a@b@c"]}`)
	types[read()["type"].(string)]++
	send(`{"op":"unsubscribe","jids":["` + bob + `"],"rooms":["` + room + `"]}`)
	s.dir.SetResource(alice, "phone", presence.Resource{Status: presence.Away, Changed: time.Now()})
	types[read()["type"].(string)]++
	if types["presence"] != 3 || types["room"] != 1 || types["error"] != 1 {
		t.Errorf("frames by type = %v, want 3 presence, 1 room, 1 error", types)
	}
	c.Close(websocket.StatusNormalClosure, "")
}

// requireCovered fails for a documented operation (not planned) that no
// request reached with success, and lists its documented answers that no
// request drew.
func (sp *spec) requireCovered(t *testing.T) {
	t.Helper()
	for tmpl, item := range sp.model.Paths.PathItems.FromOldest() {
		for method, op := range item.GetOperations().FromOldest() {
			if planned(op) {
				continue
			}
			key := strings.ToUpper(method) + " " + tmpl
			got := sp.seen[key]
			if !slices.ContainsFunc(slices.Collect(maps.Keys(got)), func(code int) bool { return code < 400 }) {
				t.Errorf("%s: no request reached this documented operation with success (got %v)", key, got)
				continue
			}
			var missing []string
			for code := range op.Responses.Codes.KeysFromOldest() {
				var n int
				fmt.Sscan(code, &n)
				if !got[n] {
					missing = append(missing, code)
				}
			}
			if len(missing) > 0 {
				t.Logf("%s: documented answers not exercised: %v", key, missing)
			}
		}
	}
}

// planned reports an operation the document marks as not served yet.
func planned(op *v3.Operation) bool {
	if op.Extensions == nil {
		return false
	}
	n := op.Extensions.GetOrZero("x-planned")
	return n != nil && n.Value == "true"
}

// samples fill a path template's parameters with values the routes take.
var samples = map[string]string{"jid": alice, "room": room, "group": group, "file": "x.js"}

// TestOpenAPICoversRoutes fails when a route the server registers is
// missing from the document, or the document holds an operation the server
// does not serve (unless it is marked x-planned), so they cannot drift.
func TestOpenAPICoversRoutes(t *testing.T) {
	sp := loadSpec(t)
	s := startServer(t, web.Options{})
	patterns := s.srv.RoutePatterns()
	mux := http.NewServeMux()
	for _, p := range patterns {
		mux.HandleFunc(p, func(http.ResponseWriter, *http.Request) {})
	}
	param := regexp.MustCompile(`\{([^}]+)\}`)
	covered := map[string]bool{}
	for tmpl, item := range sp.model.Paths.PathItems.FromOldest() {
		target := param.ReplaceAllStringFunc(tmpl, func(m string) string {
			v, ok := samples[m[1:len(m)-1]]
			if !ok {
				t.Fatalf("%s: no sample value for %s", tmpl, m)
			}
			return v
		})
		for method, op := range item.GetOperations().FromOldest() {
			method = strings.ToUpper(method)
			req := httptest.NewRequest(method, target, nil)
			_, pattern := mux.Handler(req)
			served := pattern != "" && pattern != "/" && strings.HasPrefix(pattern, method+" ")
			switch {
			case served && planned(op):
				t.Errorf("%s %s is served (%s) but marked x-planned: drop the mark and add its requests to TestOpenAPIAnswers", method, tmpl, pattern)
			case !served && !planned(op):
				t.Errorf("%s %s is documented but no route serves it (got %q)", method, tmpl, pattern)
			}
			if served {
				covered[pattern] = true
			}
		}
	}
	var missing []string
	for _, p := range patterns {
		if p != "/" && !covered[p] {
			missing = append(missing, p)
		}
	}
	sort.Strings(missing)
	if len(missing) > 0 {
		t.Errorf("routes missing from apidoc/openapi.json (and docs/API.md): %s", strings.Join(missing, ", "))
	}
	if !slices.Contains(patterns, "GET /openapi.json") {
		t.Error("the server does not serve GET /openapi.json")
	}
}

// TestOpenAPIValidatorBites makes sure that the validation above can fail:
// answers that break the document in ways the server could drift to are
// each rejected.
func TestOpenAPIValidatorBites(t *testing.T) {
	sp := loadSpec(t)
	good := http.Header{
		"Content-Type": {"application/json"}, "Etag": {`"x"`}, "Cache-Control": {"no-cache"},
		"X-Content-Type-Options": {"nosniff"}, "Access-Control-Allow-Origin": {"*"},
	}
	presenceJSON := `{"jid":"a@example.com","status":"away","state":"away","since":null,"last_seen":null,"sources":{"xmpp":"away"}}`
	asError := func(h http.Header) {
		h.Set("Cache-Control", "no-store")
		h.Del("Etag")
		h.Del("Access-Control-Allow-Origin")
	}
	for _, tt := range []struct {
		name, target string
		status       int
		hdr          func(http.Header)
		body         string
	}{
		{"valid", "/api/v1/presence/a@example.com", 200, nil, presenceJSON},
		{"valid error", "/api/v1/presence/a@b@c", 400, asError, `{"error":"invalid JID"}`},
		{"valid 429", "/api/v1/presence/a@example.com", 429, func(h http.Header) { asError(h); h.Set("Retry-After", "3") }, `{"error":"slow down"}`},
		{"an undocumented field", "/api/v1/presence/a@example.com", 200, nil,
			`{"jid":"a@example.com","status":"away","state":"away","since":null,"last_seen":null,"sources":{},"mood_text":"x"}`},
		{"a status outside the model", "/api/v1/presence/a@example.com", 200, nil, strings.Replace(presenceJSON, `"status":"away"`, `"status":"busy"`, 1)},
		{"a source outside the model", "/api/v1/presence/a@example.com", 200, nil, strings.Replace(presenceJSON, `"xmpp"`, `"sms"`, 1)},
		{"a required field left out", "/api/v1/rooms/r@rooms.example.com", 200, nil, `{"room":"r@rooms.example.com"}`},
		{"no ETag", "/api/v1/presence/a@example.com", 200, func(h http.Header) { h.Del("Etag") }, presenceJSON},
		{"a cacheable presence", "/api/v1/presence/a@example.com", 200, func(h http.Header) { h.Set("Cache-Control", "max-age=60") }, presenceJSON},
		{"an undocumented status code", "/api/v1/presence/a@example.com", 500, nil, `{"error":"x"}`},
		{"a badge as HTML", "/badge/a@example.com.svg", 200, func(h http.Header) { h.Set("Content-Type", "text/html") }, "<p>"},
		{"an error without its text", "/api/v1/presence/a@b@c", 400, asError, `{}`},
		{"a 429 without Retry-After", "/api/v1/presence/a@example.com", 429, asError, `{"error":"slow down"}`},
	} {
		req := httptest.NewRequest(http.MethodGet, "http://localhost"+tt.target, nil)
		if tt.status == 429 {
			req = httptest.NewRequest(http.MethodPut, "http://localhost"+tt.target, strings.NewReader(`{"status":"away"}`))
		}
		h := good.Clone()
		if tt.hdr != nil {
			tt.hdr(h)
		}
		res := &http.Response{StatusCode: tt.status, Header: h, Body: io.NopCloser(strings.NewReader(tt.body)), Request: req}
		ok, errs := sp.v.ValidateHttpResponse(req, res)
		switch valid := strings.HasPrefix(tt.name, "valid"); {
		case valid && !ok:
			t.Errorf("%s: rejected:\n%s", tt.name, describe(errs))
		case !valid && ok:
			t.Errorf("%s: the validator accepts it", tt.name)
		}
	}
}

// apiSections are the headings of docs/API.md, in order: code and docs
// cite their anchors (docs/API.md#badges-and-images), so they must stay.
var apiSections = []string{
	"Presence model", "Configuration", "Badges and images", "JSON", "Writing presence", "Compatibility",
	"Live", "Pages", "Operations", "Rich presence", "Deployment", "Storage and scale", "Errors and limits",
}

// TestAPIMarkdown checks that docs/API.md keeps its section headings and
// names every path of the document, so that a new route reaches the
// reference for people too.
func TestAPIMarkdown(t *testing.T) {
	b, err := os.ReadFile("../docs/API.md")
	if err != nil {
		t.Fatal(err)
	}
	md := string(b)
	var got []string
	for line := range strings.Lines(md) {
		if h, ok := strings.CutPrefix(line, "## "); ok {
			got = append(got, strings.TrimSpace(h))
		}
	}
	if !slices.Equal(got, apiSections) {
		t.Errorf("docs/API.md sections:\n got %q\nwant %q", got, apiSections)
	}
	sp := loadSpec(t)
	for tmpl := range sp.model.Paths.PathItems.KeysFromOldest() {
		name := tmpl
		if i := strings.LastIndex(name, "."); i > strings.LastIndex(name, "}") {
			name = name[:i] // /badge/{jid}.png is written /badge/{jid}.svg, .png
		}
		if !strings.Contains(md, name) {
			t.Errorf("docs/API.md does not mention %s", tmpl)
		}
	}
}
