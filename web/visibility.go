package web

import (
	"net/http"

	"badges/presence"
)

// SigVerifier checks a signed-visibility signature for a topic.
type SigVerifier func(t presence.Topic, sig string) bool

// entry returns what the request may see of topic t: its latest value, or
// under signed visibility without a valid sig, exactly the value of a JID
// (or room) that does not exist.
func (s *Server) entry(t presence.Topic, sig string) *presence.Entry {
	if s.verify != nil && !s.verify(t, sig) {
		return hiddenEntry(t)
	}
	return s.hub.Get(t)
}

// hiddenEntry is the value shown for a topic the reader may not see.
func hiddenEntry(t presence.Topic) *presence.Entry {
	if t.Kind == presence.KindRoom {
		return presence.NewRoomEntry(presence.Room{Room: t.Name})
	}
	return presence.NewPresenceEntry(presence.UnknownPresence(t.Name))
}

// sigOf returns the sig query value that vouches for the request's topic.
func sigOf(r *http.Request) string { return r.URL.Query().Get("sig") }
