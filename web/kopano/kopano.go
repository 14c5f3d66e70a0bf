// Package kopano is a drop-in for the kopano-presence API, mounted at
// GET, PUT and POST /api/kopano (docs/API.md#compatibility). It reads
// through the visibility rule and writes the http source of the directory.
//
// The API follows kopano-core's
// ECtools/presence/kopano_presence/__init__.py, its README and its test
// scripts. Every method takes the same JSON body, a GET included:
//
//	{"AuthenticationToken":"TS:JID:SIG","Type":"UserStatus",
//	 "UserStatus":[{"user_id":"alice@example.com","spreed":{"status":"busy","message":"..."}}]}
//
// and a read answers
//
//	{"Type":"UserStatus","UserStatus":[{"user_id":"alice@example.com",
//	 "xmpp":{"status":"available","message":""},"spreed":{"status":"busy","message":"..."}}]}
//
// in the request's order, each user_id as the client sent it. A PUT answers
// 200 with an empty body, as kopano does; a POST writes, then answers the
// read. Statuses are kopano's four states.
//
// Where badges differs from kopano, on purpose:
//   - Every read answers both sources, "unavailable" with an empty message
//     for a source that says nothing, where kopano leaves the source out.
//     An invisible user thus reads exactly like one that does not exist.
//   - Only "spreed" is written (it is the http source, which expires after
//     presence.DefaultTTL without a refresh, as kopano's spreed plugin does
//     after two minutes). An "xmpp" member of a write is ignored: that
//     source is the watcher's to say.
//   - A token writes only its own user_id: writing another is a 403 (kopano
//     lets any token write anyone). A missing, bad or expired token is a
//     401, as in kopano.
//   - A malformed body or state is a 400 with {"error":...}, where kopano
//     fails with a 500; a write is checked whole before any of it is done.
//   - Under signed visibility a user is read only with a "sig" member next
//     to its user_id (see `badges sign`), or by the token's own user.
package kopano

import (
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"badges/auth"
	"badges/presence"
	"badges/visibility"
	"badges/web/respond"
)

// Directory is what the handler needs of the presence directory.
type Directory interface {
	SetHTTP(jid string, s presence.Status, message string, ttl time.Duration) (*presence.Entry, error)
	Sources(jid string) map[presence.Source]presence.SourceState
}

// Allow takes a token from the bucket of r's client, or says how long until
// one is free.
type Allow func(r *http.Request) (ok bool, retry time.Duration)

// Options configure a Handler. Directory, Visibility and TokenOwner are
// required.
type Options struct {
	Directory  Directory
	Visibility *visibility.Rule
	// TokenOwner returns the JID a genuine, current user token was issued
	// for.
	TokenOwner func(token string) (string, error)
	// AllowRead limits GET, which reads with a body and so costs as much
	// as a write; AllowWrite limits PUT and POST. nil: no limit.
	AllowRead, AllowWrite Allow
	// MaxUsers bounds the users of one request; 0: 100.
	MaxUsers int
	// Logger gets server errors; nil: discarded.
	Logger *slog.Logger
}

// Handler answers the kopano-presence API.
type Handler struct {
	dir                   Directory
	vis                   *visibility.Rule
	tokenOwner            func(string) (string, error)
	allowRead, allowWrite Allow
	maxUsers              int
	log                   *slog.Logger
}

// New returns a Handler.
func New(opt Options) *Handler {
	h := &Handler{dir: opt.Directory, vis: opt.Visibility, tokenOwner: opt.TokenOwner,
		allowRead: opt.AllowRead, allowWrite: opt.AllowWrite, maxUsers: opt.MaxUsers, log: opt.Logger}
	always := func(*http.Request) (bool, time.Duration) { return true, 0 }
	if h.allowRead == nil {
		h.allowRead = always
	}
	if h.allowWrite == nil {
		h.allowWrite = always
	}
	if h.maxUsers <= 0 {
		h.maxUsers = defaultMaxUsers
	}
	if h.log == nil {
		h.log = slog.New(slog.DiscardHandler)
	}
	return h
}

// defaultMaxUsers bounds the users of one request, as the batch read does.
const defaultMaxUsers = 100

// kopanoType is the only request and answer Type kopano knows.
const kopanoType = "UserStatus"

// kopanoRequest is the body every kopano method takes.
type kopanoRequest struct {
	AuthenticationToken string        `json:"AuthenticationToken"`
	Type                string        `json:"Type"`
	UserStatus          *[]kopanoUser `json:"UserStatus"`
}

// kopanoUser is one entry of a request's UserStatus. kopano's "xmpp"
// member is not decoded: badges never writes it.
type kopanoUser struct {
	UserID string        `json:"user_id"`
	Spreed *kopanoSource `json:"spreed"`
	Sig    string        `json:"sig"`
}

// kopanoSource is one source's say about a user, in kopano's words.
type kopanoSource struct {
	Status  string `json:"status"`
	Message string `json:"message"`
}

// kopanoUserStatus is one user of a read's answer.
type kopanoUserStatus struct {
	UserID string       `json:"user_id"`
	XMPP   kopanoSource `json:"xmpp"`
	Spreed kopanoSource `json:"spreed"`
	// Rich presence, beside the sources: kopano clients pass over members
	// they do not know (docs/API.md#rich-presence).
	presence.DetailsJSON
}

// kopanoAnswer is the body of a read's answer.
type kopanoAnswer struct {
	Type       string             `json:"Type"`
	UserStatus []kopanoUserStatus `json:"UserStatus"`
}

// kopanoCall is a checked kopano request.
type kopanoCall struct {
	token string
	users []kopanoTarget
}

// kopanoTarget is one user of a request.
type kopanoTarget struct {
	userID string // as sent, echoed in the answer
	jid    string // normalised
	sig    string
	// write is the spreed status to set; nil when the entry sets none or
	// the method does not write.
	write *kopanoWrite
}

// kopanoWrite is a spreed status to set, in badges' terms.
type kopanoWrite struct {
	status  presence.Status
	message string
}

// parseKopano decodes and checks a kopano body; write says whether the
// method writes, so that a read ignores spreed members as kopano does.
// Every error wraps respond.ErrBadRequest, presence.ErrBadJID or
// presence.ErrBadStatus (400). The token is not checked here.
func parseKopano(body []byte, write bool, maxUsers int) (kopanoCall, error) {
	var req kopanoRequest
	if len(body) == 0 {
		return kopanoCall{}, fmt.Errorf("%w: empty body; want kopano's {\"AuthenticationToken\":...,\"UserStatus\":[...]}", respond.ErrBadRequest)
	}
	if err := json.Unmarshal(body, &req); err != nil {
		return kopanoCall{}, respond.WithHiddenCause(fmt.Errorf("%w: body: %s", respond.ErrBadRequest, respond.JSONProblem(err)), err)
	}
	switch {
	case req.Type != "" && req.Type != kopanoType:
		return kopanoCall{}, fmt.Errorf("%w: Type %q: want %q", respond.ErrBadRequest, req.Type, kopanoType)
	case req.UserStatus == nil:
		return kopanoCall{}, fmt.Errorf("%w: UserStatus is required", respond.ErrBadRequest)
	case len(*req.UserStatus) > maxUsers:
		return kopanoCall{}, fmt.Errorf("%w: at most %d users in UserStatus", respond.ErrBadRequest, maxUsers)
	}
	call := kopanoCall{token: req.AuthenticationToken, users: make([]kopanoTarget, 0, len(*req.UserStatus))}
	for i, u := range *req.UserStatus {
		jid, err := presence.ParseJID(u.UserID)
		if err != nil {
			return kopanoCall{}, fmt.Errorf("UserStatus[%d].user_id: %w", i, err)
		}
		t := kopanoTarget{userID: u.UserID, jid: jid, sig: u.Sig}
		if write && u.Spreed != nil {
			st, err := presence.ParseState(u.Spreed.Status)
			if err != nil {
				return kopanoCall{}, fmt.Errorf("UserStatus[%d].spreed: %w", i, err)
			}
			t.write = &kopanoWrite{status: st, message: u.Spreed.Message}
		}
		call.users = append(call.users, t)
	}
	return call, nil
}

// Get serves GET /api/kopano: the read. It takes a body, a token check
// and up to MaxUsers users, as much work as a write, so it is limited per
// client like one (docs/API.md#errors-and-limits), in a bucket of its own
// so that a client polling its reads keeps its writes.
func (s *Handler) Get(w http.ResponseWriter, r *http.Request) {
	if ok, retry := s.allowRead(r); !ok {
		respond.RateLimited(w, retry, "too many reads; retry later")
		return
	}
	call, owner, ok := s.readKopanoCall(w, r, false)
	if !ok {
		return
	}
	s.writeKopanoRead(w, r, call, owner)
}

// Put serves PUT /api/kopano: the write, answered 200 without a body.
func (s *Handler) Put(w http.ResponseWriter, r *http.Request) {
	if !s.allowWriteOf(w, r) {
		return
	}
	call, owner, ok := s.readKopanoCall(w, r, true)
	if !ok || !s.applyKopanoWrites(w, r, call, owner) {
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusOK)
}

// Post serves POST /api/kopano: the write, then the read.
func (s *Handler) Post(w http.ResponseWriter, r *http.Request) {
	if !s.allowWriteOf(w, r) {
		return
	}
	call, owner, ok := s.readKopanoCall(w, r, true)
	if !ok || !s.applyKopanoWrites(w, r, call, owner) {
		return
	}
	s.writeKopanoRead(w, r, call, owner)
}

// readKopanoCall reads and checks the body and its token, answering the
// request itself when it cannot go on. owner is the token's JID.
func (s *Handler) readKopanoCall(w http.ResponseWriter, r *http.Request, write bool) (call kopanoCall, owner string, ok bool) {
	body, err := respond.ReadBody(r)
	if err == nil {
		call, err = parseKopano(body, write, s.maxUsers)
	}
	if err == nil {
		owner, err = s.tokenOwner(call.token)
	}
	if err != nil {
		respond.Err(w, r, s.log, err)
		return kopanoCall{}, "", false
	}
	return call, owner, true
}

// applyKopanoWrites sets the spreed source of every user that has one, after
// checking that all of them are the token's own.
func (s *Handler) applyKopanoWrites(w http.ResponseWriter, r *http.Request, call kopanoCall, owner string) bool {
	for _, t := range call.users {
		if t.write != nil && t.jid != owner {
			respond.Err(w, r, s.log, fmt.Errorf("write %s: %w: a user token writes only its own user_id", t.jid, auth.ErrForbidden))
			return false
		}
	}
	for _, t := range call.users {
		if t.write == nil {
			continue
		}
		if _, err := s.dir.SetHTTP(t.jid, t.write.status, t.write.message, presence.DefaultTTL); err != nil {
			respond.Err(w, r, s.log, err)
			return false
		}
	}
	return true
}

// writeKopanoRead answers the read of every user of call.
func (s *Handler) writeKopanoRead(w http.ResponseWriter, r *http.Request, call kopanoCall, owner string) {
	ans := kopanoAnswer{Type: kopanoType, UserStatus: make([]kopanoUserStatus, 0, len(call.users))}
	for _, t := range call.users {
		ans.UserStatus = append(ans.UserStatus, s.kopanoRead(t, owner))
	}
	body, err := json.Marshal(ans)
	if err != nil {
		respond.Err(w, r, s.log, fmt.Errorf("kopano: encode answer: %w", err))
		return
	}
	respond.CachedBody(w, r, http.StatusOK, respond.TypeJSON, body)
}

// kopanoRead is what the request may see of one user: both sources, each
// "unavailable" when it says nothing, the user is invisible, or signed
// visibility hides it from this reader.
func (s *Handler) kopanoRead(t kopanoTarget, owner string) kopanoUserStatus {
	out := kopanoUserStatus{UserID: t.userID, XMPP: kopanoUnavailable, Spreed: kopanoUnavailable}
	e, visible := s.vis.Read(presence.JIDTopic(t.jid), t.sig)
	if !visible && t.jid != owner {
		return out
	}
	out.DetailsJSON = presence.NewDetailsJSON(e.Presence.Details, t.jid)
	src := s.dir.Sources(t.jid)
	if x, ok := src[presence.SourceXMPP]; ok {
		out.XMPP = kopanoSource{Status: string(x.Status.State()), Message: x.Message}
	}
	if h, ok := src[presence.SourceHTTP]; ok {
		out.Spreed = kopanoSource{Status: string(h.Status.State()), Message: h.Message}
	}
	return out
}

// kopanoUnavailable is a source that says nothing of a user.
var kopanoUnavailable = kopanoSource{Status: string(presence.StateUnavailable)}

// allowWriteOf takes a token from the client's write bucket, or answers 429.
func (s *Handler) allowWriteOf(w http.ResponseWriter, r *http.Request) bool {
	if ok, retry := s.allowWrite(r); !ok {
		respond.RateLimited(w, retry, "too many writes; retry later")
		return false
	}
	return true
}
