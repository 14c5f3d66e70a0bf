package xmpp

import (
	"strings"
	"testing"
	"unicode/utf8"

	"badges/presence"
)

// decodeStanza parses one stanza as the watcher's stream reader does.
func decodeStanza(raw string) (*stanza, error) {
	r := newStreamReader(strings.NewReader("<stream:stream xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams'>" + raw))
	return r.next()
}

// FuzzPEPItems: any notification or items result gives a profile whose
// texts are valid and bounded once the Directory cleans them, a picture to
// fetch only by an id of the contact's own node and never over the limit.
func FuzzPEPItems(f *testing.F) {
	f.Add(`<message from='a@x' type='headline'><event xmlns='` + nsPubSubEvent + `'><items node='` + nsTune + `'><item id='1'><tune xmlns='` + nsTune + `'><artist>A</artist><length>-3</length></tune></item></items></event></message>`)
	f.Add(`<message><event xmlns='` + nsPubSubEvent + `'><items node='` + nsMood + `'><item><mood xmlns='` + nsMood + `'><happy/><text>t</text></mood></item></items></event></message>`)
	f.Add(`<message><event xmlns='` + nsPubSubEvent + `'><items node='` + nsActivity + `'><item><activity xmlns='` + nsActivity + `'><working><coding/></working></activity></item></items></event></message>`)
	f.Add(`<message><event xmlns='` + nsPubSubEvent + `'><items node='` + nsAvatarMeta + `'><item id='ab'><metadata xmlns='` + nsAvatarMeta + `'><info id='ab' bytes='12' type='image/png' url='http://x/'/><info id='ab' bytes='99999999'/></metadata></item></items></event></message>`)
	f.Add(`<message><event xmlns='` + nsPubSubEvent + `'><items node='` + nsNick + `'><retract id='1'/></items></event></message>`)
	f.Add(`<iq type='result' id='1'><pubsub xmlns='` + nsPubSub + `'><items node='` + nsNick + `'><item><nick xmlns='` + nsNick + `'>N&#x202E;</nick></item></items></pubsub></iq>`)
	f.Fuzz(func(t *testing.T, raw string) {
		st, err := decodeStanza(raw)
		if err != nil {
			return
		}
		var ups []pepUpdate
		ups = append(ups, st.Event.updates()...)
		if st.PubSub != nil {
			ups = append(ups, st.PubSub.Items.updates()...)
		}
		var p presence.Profile
		for _, u := range ups {
			if fetch := u.apply(&p); fetch != nil {
				if fetch.ID == "" || fetch.URL != "" {
					t.Fatalf("fetch %+v", fetch)
				}
			}
		}
		d := presence.NewMemHub()
		dir, err := presence.NewDirectory(d, nopStore{}, presence.DirectoryOptions{ShowMessages: true})
		if err != nil {
			t.Fatal(err)
		}
		defer dir.Close()
		if err := dir.SetRosterItem("a@x", presence.RosterItem{Subscribed: true}); err != nil {
			t.Fatal(err)
		}
		dir.SetProfile("a@x", p)
		det := d.Get(presence.JIDTopic("a@x")).Presence.Details
		for _, s := range []string{det.Name, tuneText(det.Tune), moodText(det.Mood), activityText(det.Activity)} {
			if !utf8.ValidString(s) || utf8.RuneCountInString(s) > 6*presence.MaxMessageRunes {
				t.Fatalf("text %q", s)
			}
		}
	})
}

func tuneText(t *presence.Tune) string {
	if t == nil {
		return ""
	}
	return t.Artist + t.Title + t.Source + t.Track + t.URI
}

func moodText(m *presence.Mood) string {
	if m == nil {
		return ""
	}
	return m.Value + m.Text
}

func activityText(a *presence.Activity) string {
	if a == nil {
		return ""
	}
	return a.General + a.Specific + a.Text
}

// nopStore keeps nothing.
type nopStore struct{}

func (nopStore) Records() ([]presence.Record, error) { return nil, nil }
func (nopStore) Write([]presence.Write) []error      { return nil }
