package xmpp

import (
	"strings"
	"testing"
	"time"
)

// TestRequestQueue: at most maxInFlight requests are outstanding; an
// answer from another JID than the one asked is not taken; an answer
// sends the next queued request; requests past their timeout and past the
// queue's bound are given up with a nil answer.
func TestRequestQueue(t *testing.T) {
	u := newUnitSession(t)
	var answers, giveUps int
	done := func(st *stanza) error {
		if st == nil {
			giveUps++
		} else {
			answers++
		}
		return nil
	}
	for i := range maxInFlight + 2 {
		must(t, u.ask("c"+strings.Repeat("x", i)+"@example.com", "<query xmlns='"+nsLast+"'/>", done))
	}
	if n := strings.Count(u.output(), "<iq"); n != maxInFlight {
		t.Fatalf("%d requests sent, want %d", n, maxInFlight)
	}
	var id string
	for k, r := range u.reqs.pending {
		if r.to == "c@example.com" {
			id = k
		}
	}
	// Someone else answering in c's stead is not believed.
	must(t, u.receive(t, "<iq type='result' id='"+id+"' from='mallory@example.com'><query xmlns='"+nsLast+"' seconds='5'/></iq>"))
	if answers != 0 || u.reqs.pending[id] == nil {
		t.Fatal("an answer from another JID was taken")
	}
	must(t, u.receive(t, "<iq type='result' id='"+id+"' from='c@example.com'><query xmlns='"+nsLast+"' seconds='5'/></iq>"))
	if answers != 1 || len(u.reqs.pending) != maxInFlight || len(u.reqs.queue) != 1 {
		t.Fatalf("after an answer: %d answers, %d pending, %d queued", answers, len(u.reqs.pending), len(u.reqs.queue))
	}
	// The timeout gives up the outstanding ones and sends the last queued.
	must(t, u.expireRequests(time.Now().Add(requestTimeout)))
	if giveUps != maxInFlight || len(u.reqs.pending) != 1 || len(u.reqs.queue) != 0 {
		t.Fatalf("after the timeout: %d given up, %d pending, %d queued", giveUps, len(u.reqs.pending), len(u.reqs.queue))
	}
	// A full queue gives up at once.
	u.reqs.queue = make([]request, maxQueued)
	for range maxInFlight {
		u.reqs.pending[u.ids.next()] = &inflight{sent: time.Now()}
	}
	giveUps = 0
	must(t, u.ask("d@example.com", "<query xmlns='"+nsLast+"'/>", done))
	if giveUps != 1 {
		t.Errorf("a request past the queue's bound: %d given up, want 1", giveUps)
	}
}
