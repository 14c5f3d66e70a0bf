package presence

import (
	"encoding/json"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"
)

// fullProfile sets every kind of detail.
var fullProfile = Profile{
	Nick: "Alice", VCardNick: "Ali", VCardFN: "Alice Liddell", PEPAvatar: "aaaa", VCardAvatar: "bbbb",
	Tune:     &Tune{Artist: "Yes", Title: "Roundabout", Source: "Fragile", Track: "1", Length: 507, URI: "https://music.example/1"},
	Mood:     &Mood{Value: "happy", Text: "sunny"},
	Activity: &Activity{General: "working", Specific: "coding", Text: "on badges"},
}

func richFixture(t *testing.T, opt DirectoryOptions) (*fixture, string) {
	t.Helper()
	f := newFixture(t, newMemStore(), opt)
	const jid = "alice@example.com"
	f.subscribe(jid, Resource{Status: Available, Message: "hi", Device: "phone", IdleSince: t0.Add(-time.Minute)})
	f.dir.SetResource(jid, "desk", Resource{Status: Away, Priority: -1, Device: "pc"})
	f.dir.SetResource(jid, "other", Resource{Status: Away, Priority: -1, Device: "phone"})
	f.dir.SetProfile(jid, fullProfile)
	return f, jid
}

func TestDetailsJSON(t *testing.T) {
	f, jid := richFixture(t, DirectoryOptions{ShowMessages: true})
	got := f.body(jid)
	want := `{"jid":"alice@example.com","status":"available","state":"available","message":"hi",` +
		`"since":"2026-11-21T10:00:00Z","last_seen":null,"sources":{"xmpp":"available"},` +
		`"name":"Alice","avatar":"/avatar/alice@example.com.png?v=aaaa","devices":["pc","phone"],` +
		`"idle_since":"2026-11-21T09:59:00Z",` +
		`"tune":{"artist":"Yes","title":"Roundabout","source":"Fragile","track":"1","length":507,"uri":"https://music.example/1"},` +
		`"mood":{"value":"happy","text":"sunny"},"activity":{"general":"working","specific":"coding","text":"on badges"}}`
	if got != want {
		t.Fatalf("body:\n got %s\nwant %s", got, want)
	}
	var p Presence
	if err := json.Unmarshal([]byte(got), &p); err != nil {
		t.Fatal(err)
	}
	if want := f.dir.Get(jid).Details; !p.Details.Equal(want) {
		t.Errorf("round trip: %+v, want %+v", p.Details, want)
	}
}

func TestDetailsFallbacks(t *testing.T) {
	f, jid := richFixture(t, DirectoryOptions{ShowMessages: true})
	p := fullProfile
	p.Nick, p.PEPAvatar = "", ""
	f.dir.SetProfile(jid, p)
	if d := f.dir.Get(jid).Details; d.Name != "Ali" || d.AvatarID != "bbbb" {
		t.Errorf("without PEP: name %q avatar %q, want the vCard's Ali, bbbb", d.Name, d.AvatarID)
	}
	p.VCardNick = " \n"
	f.dir.SetProfile(jid, p)
	if d := f.dir.Get(jid).Details; d.Name != "Alice Liddell" {
		t.Errorf("without nicknames: name %q, want the FN", d.Name)
	}
	// An empty tune, mood or activity item clears the field.
	p.Tune, p.Mood, p.Activity = &Tune{}, &Mood{}, nil
	f.dir.SetProfile(jid, p)
	if b := f.body(jid); strings.Contains(b, `"tune"`) || strings.Contains(b, `"mood"`) || strings.Contains(b, `"activity"`) {
		t.Errorf("cleared items still served: %s", b)
	}
}

// TestPrivacy: what the operator does not share and what the user hides
// is left out of every output, not set to null.
func TestPrivacy(t *testing.T) {
	keys := func(b string) []string {
		var m map[string]json.RawMessage
		if err := json.Unmarshal([]byte(b), &m); err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, k := range []string{"message", "name", "avatar", "devices", "idle_since", "tune", "mood", "activity"} {
			if _, ok := m[k]; ok {
				out = append(out, k)
			}
		}
		return out
	}
	tests := []struct {
		name   string
		opt    DirectoryOptions
		hidden FieldSet
		want   []string
	}{
		{"default share", DirectoryOptions{ShowMessages: true}, 0,
			[]string{"message", "name", "avatar", "devices", "idle_since", "tune", "mood", "activity"}},
		{"show-messages=false", DirectoryOptions{}, 0,
			[]string{"name", "avatar", "devices", "idle_since", "tune", "mood", "activity"}},
		{"share name,tune", DirectoryOptions{ShowMessages: true, Share: FieldSet(FieldName | FieldTune)}, 0,
			[]string{"name", "tune"}},
		{"share none", DirectoryOptions{ShowMessages: true, Share: NoFields}, 0, nil},
		{"user hides avatar and idle", DirectoryOptions{ShowMessages: true}, FieldSet(FieldAvatar | FieldIdle),
			[]string{"message", "name", "devices", "tune", "mood", "activity"}},
		{"user hides all", DirectoryOptions{ShowMessages: true}, AllFields, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, jid := richFixture(t, tt.opt)
			mustOK(t, f.dir.SetChoice(jid, false, tt.hidden))
			if got := keys(f.body(jid)); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("fields %v, want %v", got, tt.want)
			}
			wantMsg := slices.Contains(tt.want, "message")
			for _, s := range f.dir.Sources(jid) {
				if (s.Message != "") != wantMsg {
					t.Errorf("Sources message %q, want shown %v", s.Message, wantMsg)
				}
			}
		})
	}
}

// TestPrivacyStored: the user's choices survive a restart, and a record of
// an older version (hide_message only) keeps its meaning.
func TestPrivacyStored(t *testing.T) {
	store := newMemStore()
	f := newFixture(t, store, DirectoryOptions{ShowMessages: true})
	const jid = "alice@example.com"
	f.subscribe(jid, Resource{Status: Available})
	mustOK(t, f.dir.SetChoice(jid, false, FieldSet(FieldMessage|FieldTune)))
	rec, _ := f.dir.Record(jid)
	b, err := json.Marshal(rec)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b), `"hide_message":true`) || !strings.Contains(string(b), `"hidden":["tune"]`) {
		t.Errorf("stored record %s: want hide_message and hidden [tune]", b)
	}
	f2 := newFixture(t, store, DirectoryOptions{ShowMessages: true})
	rec2, _ := f2.dir.Record(jid)
	if rec2.HiddenFields() != FieldSet(FieldMessage|FieldTune) {
		t.Errorf("after restart hidden %v, want message,tune", rec2.HiddenFields())
	}
	var old Record
	mustOK(t, json.Unmarshal([]byte(`{"jid":"a@b","subscribed":true,"hide_message":true,"hidden":["tune","future"]}`), &old))
	if old.HiddenFields() != FieldSet(FieldMessage|FieldTune) {
		t.Errorf("old record hidden %v, want message,tune", old.HiddenFields())
	}
}

// TestDetailsInvisible: nothing of an opted-out user, exactly an unknown JID.
func TestDetailsInvisible(t *testing.T) {
	f, jid := richFixture(t, DirectoryOptions{ShowMessages: true})
	mustOK(t, f.dir.SetChoice(jid, true, 0))
	if got, want := f.body(jid), strings.ReplaceAll(unknownJSON, "bob@", "alice@"); got != want {
		t.Errorf("opted out: %s, want %s", got, want)
	}
}

func TestSetLastActivity(t *testing.T) {
	f := newFixture(t, newMemStore(), DirectoryOptions{ShowMessages: true})
	const jid = "alice@example.com"
	f.subscribe(jid, Resource{})
	at := t0.Add(-3 * time.Hour)
	f.dir.SetLastActivity(jid, at)
	f.settle()
	if p := f.dir.Get(jid); !p.LastSeen.Equal(at) {
		t.Errorf("last_seen %v, want %v", p.LastSeen, at)
	}
	f.dir.SetLastActivity(jid, at.Add(-time.Hour)) // older: ignored
	f.settle()
	if rec, _ := f.dir.Record(jid); !rec.LastSeen.Equal(at) {
		t.Errorf("stored last_seen %v, want %v", rec.LastSeen, at)
	}
	f.dir.SetResource(jid, "r", Resource{Status: Available})
	f.dir.SetLastActivity(jid, t0) // online: ignored
	f.settle()
	if rec, _ := f.dir.Record(jid); !rec.LastSeen.Equal(at) {
		t.Errorf("online, stored last_seen %v, want %v", rec.LastSeen, at)
	}
}

func TestParseFieldSet(t *testing.T) {
	for in, want := range map[string]FieldSet{
		"message,name,avatar,tune,mood,activity,devices,idle": AllFields,
		"all": AllFields, "none": NoFields, "": NoFields, " tune , mood": FieldSet(FieldTune | FieldMood),
	} {
		if got, err := ParseFieldSet(in); err != nil || got != want {
			t.Errorf("ParseFieldSet(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	if _, err := ParseFieldSet("name,colour"); err == nil || !strings.Contains(err.Error(), `"colour"`) {
		t.Errorf("unknown field: %v", err)
	}
}
