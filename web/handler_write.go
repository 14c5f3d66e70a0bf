package web

import (
	"encoding/json"
	"fmt"
	"net/http"
	"time"

	"golang.org/x/time/rate"

	"badges/presence"
	"badges/web/respond"
)

// Defaults of the per-client write limit. A client refreshes a presence
// well within its ttl (120 s by default), so 10 writes a second with a burst
// of 100 leave room for a gateway pushing a few hundred users from one
// address, while a loop guessing credentials gets nowhere.
const (
	defaultWriteRate  rate.Limit = 10
	defaultWriteBurst            = 100
)

// Bounds of a write's ttl in seconds. A push is a heartbeat, not a standing
// state: a day is the longest a client may go without refreshing it.
const (
	minWriteTTL = 1
	maxWriteTTL = 86400
)

func newWriteLimiter(opt Options, now func() time.Time) *clientLimiter {
	return newClientLimiter(opt.WriteRate, opt.WriteBurst, defaultWriteRate, defaultWriteBurst, now)
}

// presenceWrite is a decoded PUT /api/v1/presence body.
type presenceWrite struct {
	Status  presence.Status
	Message string
	TTL     time.Duration
}

// parsePresenceWrite decodes {"status":"away","message":"...","ttl":120}.
// status is required and may be any status but unknown, which says that
// badges cannot tell, not something a client knows. ttl is whole seconds
// from minWriteTTL to maxWriteTTL, presence.DefaultTTL when left out or
// null. Unknown fields are ignored, so that clients written for a later
// version keep working. Every error wraps respond.ErrBadRequest or
// presence.ErrBadStatus (400).
func parsePresenceWrite(body []byte) (presenceWrite, error) {
	var in struct {
		Status  *string `json:"status"`
		Message string  `json:"message"`
		TTL     *int64  `json:"ttl"`
	}
	if len(body) == 0 {
		return presenceWrite{}, fmt.Errorf("%w: empty body; want {\"status\":...}", respond.ErrBadRequest)
	}
	if err := json.Unmarshal(body, &in); err != nil {
		return presenceWrite{}, respond.WithHiddenCause(fmt.Errorf("%w: body: %s", respond.ErrBadRequest, respond.JSONProblem(err)), err)
	}
	if in.Status == nil {
		return presenceWrite{}, fmt.Errorf("%w: status is required", respond.ErrBadRequest)
	}
	st, err := presence.ParseStatus(*in.Status)
	if err != nil {
		return presenceWrite{}, err
	}
	if st == presence.Unknown {
		return presenceWrite{}, fmt.Errorf("%w: unknown cannot be written; send offline or a present status", presence.ErrBadStatus)
	}
	w := presenceWrite{Status: st, Message: in.Message, TTL: presence.DefaultTTL}
	if in.TTL != nil {
		if *in.TTL < minWriteTTL || *in.TTL > maxWriteTTL {
			return presenceWrite{}, fmt.Errorf("%w: ttl %d: want %d to %d seconds", respond.ErrBadRequest, *in.TTL, minWriteTTL, maxWriteTTL)
		}
		w.TTL = time.Duration(*in.TTL) * time.Second
	}
	return w, nil
}

// handlePresencePut serves PUT /api/v1/presence/{jid} (docs/API.md#writing-presence): it sets
// the http source and answers the resulting presence once it is stored.
func (s *Server) handlePresencePut(w http.ResponseWriter, r *http.Request) {
	jid, own, ok := s.writeTarget(w, r)
	if !ok {
		return
	}
	body, err := respond.ReadBody(r)
	if err != nil {
		s.writeErr(w, r, err)
		return
	}
	in, err := parsePresenceWrite(body)
	if err != nil {
		s.writeErr(w, r, err)
		return
	}
	e, err := s.dir.SetHTTP(jid, in.Status, in.Message, in.TTL)
	if err != nil {
		s.writeErr(w, r, err)
		return
	}
	s.answerWrite(w, r, e, own)
}

// handlePresenceDelete serves DELETE /api/v1/presence/{jid}: the http
// source goes offline now, and the answer is the resulting presence.
func (s *Server) handlePresenceDelete(w http.ResponseWriter, r *http.Request) {
	jid, own, ok := s.writeTarget(w, r)
	if !ok {
		return
	}
	e, err := s.dir.ClearHTTP(jid)
	if err != nil {
		s.writeErr(w, r, err)
		return
	}
	s.answerWrite(w, r, e, own)
}

// writeTarget applies what every write of /api/v1/presence/{jid} goes
// through, in this order: the client's rate limit (before anything else, so
// that guessing credentials is throttled too), the JID, the credential. It
// answers the request itself when the write may not go ahead.
func (s *Server) writeTarget(w http.ResponseWriter, r *http.Request) (jid string, own, ok bool) {
	if !s.allowWrite(w, r) {
		return "", false, false
	}
	jid, err := s.names.jid(r.PathValue("jid"))
	if err == nil {
		own, err = s.creds.authorizeWrite(r, jid)
	}
	if err != nil {
		s.writeErr(w, r, err)
		return "", false, false
	}
	return jid, own, true
}

// answerWrite answers a stored write with the presence it resulted in.
// Under signed visibility that answer would let an API key read what a sig
// guards (the XMPP source, the status text), so a key's write is
// acknowledged with 204 and no body; the JID's own token sees its presence.
func (s *Server) answerWrite(w http.ResponseWriter, r *http.Request, e *presence.Entry, own bool) {
	if s.vis.Signed() && !own {
		w.Header().Set("Cache-Control", "no-store")
		w.WriteHeader(http.StatusNoContent)
		return
	}
	respond.Cached(w, r, http.StatusOK, respond.TypeJSON, e.ETag, e.JSON)
}

// allowWrite takes a token from the client's write bucket, or answers 429.
func (s *Server) allowWrite(w http.ResponseWriter, r *http.Request) bool {
	if ok, retry := s.writes.allow(r); !ok {
		respond.RateLimited(w, retry, "too many writes; retry later")
		return false
	}
	return true
}
