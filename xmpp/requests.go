package xmpp

import (
	"strings"
	"time"
)

// Requests for rich presence (capabilities, PEP items, vCards, pictures,
// last activity) go through one queue: at most maxInFlight are outstanding,
// so that a sync of thousands of contacts does not flood the server, and
// each gets an answer or is given up after requestTimeout, so that a
// contact's server that never answers cannot hold a slot for ever.
const (
	maxInFlight    = 8
	maxQueued      = 1 << 14
	requestTimeout = 30 * time.Second
	// requestSweep is how often requests are checked for their timeout.
	requestSweep = 5 * time.Second
)

// request is one IQ get the session asks and the function that takes its
// answer: a result or an error stanza, or nil when it timed out.
type request struct {
	to, payload string
	done        func(st *stanza) error
}

type inflight struct {
	request
	sent time.Time
}

// requests is the queue of one session.
type requests struct {
	pending map[string]*inflight // by IQ id
	queue   []request
}

// ask sends a request now, or queues it behind those outstanding. Beyond
// maxQueued it is given up at once, as if it had timed out: what it would
// tell is asked again later.
func (s *session) ask(to, payload string, done func(*stanza) error) error {
	r := request{to: to, payload: payload, done: done}
	if len(s.reqs.pending) < maxInFlight {
		return s.sendRequest(r)
	}
	if len(s.reqs.queue) >= maxQueued {
		s.log.Debug("xmpp: request queue full, given up", "to", to)
		return done(nil)
	}
	s.reqs.queue = append(s.reqs.queue, r)
	return nil
}

func (s *session) sendRequest(r request) error {
	if s.reqs.pending == nil {
		s.reqs.pending = make(map[string]*inflight)
	}
	id := s.ids.next()
	s.reqs.pending[id] = &inflight{request: r, sent: time.Now()}
	return s.send(iq("get", id, r.to, r.payload))
}

// next sends queued requests while there is room.
func (s *session) nextRequests() error {
	for len(s.reqs.queue) > 0 && len(s.reqs.pending) < maxInFlight {
		r := s.reqs.queue[0]
		s.reqs.queue[0] = request{}
		s.reqs.queue = s.reqs.queue[1:]
		if err := s.sendRequest(r); err != nil {
			return err
		}
	}
	return nil
}

// answered hands an IQ result or error to the request it answers; ok is
// false if it answers none. An answer counts only from the entity asked
// (or, for a request to the account itself, from the server), so that
// nobody else can answer in its stead.
func (s *session) answered(st *stanza) (ok bool, err error) {
	r := s.reqs.pending[st.ID]
	if r == nil || !sameJID(st.From, r.to, s.bare) {
		return false, nil
	}
	delete(s.reqs.pending, st.ID)
	if err := r.done(st); err != nil {
		return true, err
	}
	return true, s.nextRequests()
}

// sameJID: from is to, or both name the account (an empty from is the
// account's own server answering for it).
func sameJID(from, to, own string) bool {
	if strings.EqualFold(from, to) {
		return true
	}
	norm := func(j string) string {
		if j == "" {
			return own
		}
		return strings.ToLower(j)
	}
	return norm(from) == norm(to)
}

// expireRequests gives up the requests older than requestTimeout.
func (s *session) expireRequests(now time.Time) error {
	for id, r := range s.reqs.pending {
		if now.Sub(r.sent) < requestTimeout {
			continue
		}
		delete(s.reqs.pending, id)
		s.log.Debug("xmpp: request timed out", "to", r.to)
		if err := r.done(nil); err != nil {
			return err
		}
	}
	return s.nextRequests()
}
