package presence

import "testing"

// TestDirectoryInvisible is SPEC section 2's hard rule: every JID nobody may
// see is answered byte for byte like a JID that never existed, live and
// after a restart.
func TestDirectoryInvisible(t *testing.T) {
	const jid = "alice@example.com"
	never := newFixture(t, newMemStore(), DirectoryOptions{ShowMessages: true})
	want := never.body(jid)
	wantEntry := never.hub.Get(JIDTopic(jid))

	online := func(f *fixture) {
		f.subscribe(jid, Resource{Status: Away, Message: "secret"})
		f.dir.RemoveResource(jid, "res") // leaves a last_seen behind
		f.dir.SetResource(jid, "res", Resource{Status: DND, Message: "secret"})
	}
	tests := []struct {
		name string
		do   func(f *fixture)
	}{
		{"never subscribed, has resources", func(f *fixture) {
			f.dir.SetResource(jid, "res", Resource{Status: Available, Message: "secret"})
		}},
		{"forgotten", func(f *fixture) { online(f); mustOK(f.t, f.dir.Forget(jid)) }},
		{"opted out", func(f *fixture) { online(f); mustOK(f.t, f.dir.SetChoice(jid, true, 0)) }},
		{"unsubscribed by roster push", func(f *fixture) {
			online(f)
			mustOK(f.t, f.dir.SetRosterItem(jid, RosterItem{Subscribed: false}))
		}},
		{"removed from the roster", func(f *fixture) { online(f); mustOK(f.t, f.dir.RemoveRosterItem(jid)) }},
		{"gone from a roster sync", func(f *fixture) {
			online(f)
			mustOK(f.t, f.dir.SyncRoster(map[string]RosterItem{"bob@example.com": {Subscribed: true}}))
		}},
		{"opted out, stale", func(f *fixture) {
			online(f)
			mustOK(f.t, f.dir.SetChoice(jid, true, 0))
			f.dir.mu.Lock()
			f.dir.stale = true
			f.dir.mu.Unlock()
			f.dir.SetResource(jid, "res", Resource{Status: Chat})
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			store := newMemStore()
			f := newFixture(t, store, DirectoryOptions{ShowMessages: true})
			s := newSub(f.hub)
			defer s.Close()
			if err := s.Add(0, JIDTopic(jid)); err != nil {
				t.Fatal(err)
			}
			tt.do(f)
			if got := f.body(jid); got != want {
				t.Errorf("served\n %s\nwant\n %s", got, want)
			}
			e := f.hub.Get(JIDTopic(jid))
			if e.ETag != wantEntry.ETag || string(e.Frame) != string(wantEntry.Frame) {
				t.Errorf("ETag %s / frame %s differ from a JID that never existed", e.ETag, e.Frame)
			}
			// A live reader's last value is the same bytes.
			var last *Entry
			for _, v := range s.Take() {
				last = v
			}
			if last != nil && string(last.Frame) != string(wantEntry.Frame) {
				t.Errorf("live reader was left with %s", last.Frame)
			}
			// And so after a restart.
			g := newFixture(t, store, DirectoryOptions{ShowMessages: true})
			if got := g.body(jid); got != want {
				t.Errorf("after restart served\n %s\nwant\n %s", got, want)
			}
		})
	}
}

func mustOK(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
