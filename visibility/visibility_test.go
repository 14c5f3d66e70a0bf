package visibility

import (
	"testing"

	"badges/presence"
)

func TestRead(t *testing.T) {
	hub := presence.NewMemHub()
	alice := presence.JIDTopic("alice@example.com")
	room := presence.RoomTopic("chat@rooms.example.com")
	hub.Publish(presence.NewPresenceEntry(presence.Presence{JID: alice.Name, Status: presence.DND,
		Sources: map[presence.Source]presence.Status{presence.SourceXMPP: presence.DND}}))
	hub.Publish(presence.NewRoomEntry(presence.Room{Room: room.Name, Occupants: 2}))

	public := New(hub, nil)
	signed := New(hub, func(t presence.Topic, sig string) bool { return sig == "ok-"+t.Name })
	if public.Signed() || !signed.Signed() {
		t.Fatal("Signed is wrong")
	}
	for _, tp := range []presence.Topic{alice, room} {
		own := hub.Get(tp)
		if e, ok := public.Read(tp, ""); !ok || e != own {
			t.Errorf("public %s: %s %v", tp.Name, e.JSON, ok)
		}
		if e, ok := signed.Read(tp, "ok-"+tp.Name); !ok || e != own {
			t.Errorf("signed, valid sig %s: %s %v", tp.Name, e.JSON, ok)
		}
		// Hidden reads exactly like a topic nothing was published for.
		e, ok := signed.Read(tp, "bad")
		if ok || string(e.JSON) != string(presence.NewMemHub().Get(tp).JSON) {
			t.Errorf("signed, bad sig %s: %s %v", tp.Name, e.JSON, ok)
		}
		if e := signed.Entry(tp, ""); string(e.JSON) != string(presence.DefaultEntry(tp).JSON) {
			t.Errorf("Entry without sig %s: %s", tp.Name, e.JSON)
		}
	}
}
