package hubtest

import (
	"testing"
	"time"

	"badges/presence"
	"badges/store"
)

// Directory returns a presence directory over a real store in a temporary
// directory, publishing to a Recorder over a MemHub, with status texts
// shown. Both are closed when the test ends.
func Directory(t testing.TB) (*Recorder, *presence.Directory) {
	t.Helper()
	return DirectoryWith(t, presence.DirectoryOptions{ShowMessages: true})
}

// DirectoryWith is Directory configured by opt.
func DirectoryWith(t testing.TB, opt presence.DirectoryOptions) (*Recorder, *presence.Directory) {
	t.Helper()
	st, err := store.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	hub := NewRecorder(presence.NewMemHub())
	dir, err := presence.NewDirectory(hub, st, opt)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(dir.Close)
	return hub, dir
}

// Online makes jid a visible contact of dir, online with one resource.
func Online(t testing.TB, dir *presence.Directory, jid string, st presence.Status, msg string) {
	t.Helper()
	if err := dir.SetRosterItem(jid, presence.RosterItem{Subscribed: true}); err != nil {
		t.Fatal(err)
	}
	dir.SetResource(jid, "phone", presence.Resource{Status: st, Message: msg, Changed: time.Now()})
}

// Offline ends jid's resource in dir and waits until hub shows jid
// offline: a contact going offline is shown once its last_seen is saved
// (docs/DESIGN.md, "Durable writes").
func Offline(t testing.TB, hub presence.Hub, dir *presence.Directory, jid, resource string) {
	t.Helper()
	dir.RemoveResource(jid, resource)
	deadline := time.Now().Add(10 * time.Second)
	for hub.Get(presence.JIDTopic(jid)).Presence.Status != presence.Offline {
		if time.Now().After(deadline) {
			t.Fatalf("%s not shown offline within 10 s", jid)
		}
		time.Sleep(time.Millisecond)
	}
}
