package xmpp

import (
	"errors"
	"strings"
	"testing"

	"badges/presence"
)

const header = `<?xml version='1.0'?><stream:stream xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams' id='1' from='example.com' version='1.0'>`

func readAll(t *testing.T, body string) ([]*stanza, error) {
	t.Helper()
	r := newStreamReader(strings.NewReader(header + body))
	var out []*stanza
	for {
		st, err := r.next()
		if err != nil {
			return out, err
		}
		out = append(out, st)
	}
}

func TestStreamReaderStanzas(t *testing.T) {
	body := `<stream:features><mechanisms xmlns='urn:ietf:params:xml:ns:xmpp-sasl'><mechanism>PLAIN</mechanism></mechanisms></stream:features>` +
		`<success xmlns='urn:ietf:params:xml:ns:xmpp-sasl'/>` +
		header + // the stream restart after SASL
		`<presence from='alice@example.com/phone'><x xmlns='vcard-temp:x:update'/><show>dnd</show>` +
		`<status xml:lang='de'>Besprechung</status><status>Meeting</status><priority>7</priority></presence>` +
		`<presence from='room@muc.example.com/bob'><x xmlns='http://jabber.org/protocol/muc#user'>` +
		`<item affiliation='none' role='participant'/><status code='110'/><status code=' 201 '/></x></presence>` +
		`<iq type='set' id='push1'><query xmlns='jabber:iq:roster' ver='v2'><item jid='Carol@Example.com' subscription='both' ask='subscribe'>` +
		`<group>Friends</group><group>Friends</group><group> </group></item></query></iq>` +
		`<iq type='get' id='p1' from='example.com'><ping xmlns='urn:xmpp:ping'/></iq>` +
		`<iq type='get' id='q1'><query xmlns='urn:example'/></iq>` +
		`<message from='dave@example.com/x' type='chat'><body>help</body></message>` +
		`<presence type='error' from='room@muc.example.com/badges'><error type='cancel'><conflict xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></error></presence>` +
		`</stream:stream>`
	got, err := readAll(t, body)
	if !errors.Is(err, errStreamClosed) {
		t.Fatalf("end: %v", err)
	}
	if len(got) != 7 {
		t.Fatalf("got %d stanzas", len(got))
	}
	p := got[0]
	if p.kind() != "presence" || status(p.Show) != presence.DND || text(p.Status) != "Meeting" || priority(p.Priority) != 7 || p.MUC != nil {
		t.Errorf("presence: %+v", p)
	}
	if m := got[1].MUC; m == nil || !m.hasStatus(mucSelf) || !m.hasStatus(mucCreated) || m.hasStatus(mucNickChange) {
		t.Errorf("room presence: %+v", m)
	}
	roster := parseRoster(got[2].Roster)
	if e, ok := roster["carol@example.com"]; !ok || !e.subscribed() || !e.ask || len(e.groups) != 1 || e.groups[0] != "Friends" {
		t.Errorf("roster: %+v", roster)
	}
	if got[3].Ping == nil || got[3].Type != "get" {
		t.Errorf("ping: %+v", got[3])
	}
	if got[4].Ping != nil || got[4].Roster != nil || len(got[4].Other) != 1 || got[4].Other[0].XMLName.Space != "urn:example" {
		t.Errorf("unknown iq: %+v", got[4])
	}
	if got[5].kind() != "message" || text(got[5].Body) != "help" {
		t.Errorf("message: %+v", got[5])
	}
	if c := got[6].Error.condition(); c != "conflict" {
		t.Errorf("error condition %q", c)
	}
}

func TestStreamReaderErrors(t *testing.T) {
	for _, tc := range []struct {
		name, body, want string
	}{
		{"stream error", `<stream:error><conflict xmlns='urn:ietf:params:xml:ns:xmpp-streams'/><text xmlns='urn:ietf:params:xml:ns:xmpp-streams'>replaced</text></stream:error>`, "stream error conflict: replaced"},
		{"huge stanza", `<message><body>` + strings.Repeat("x", maxStanzaBytes+16<<10) + `</body></message>`, "exceeds"},
		{"broken xml", `<message><body></message>`, "syntax error"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := readAll(t, tc.body)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want %q", err, tc.want)
			}
		})
	}
}

func TestParseRoster(t *testing.T) {
	q := &rosterQuery{Items: []rosterItemXML{
		{JID: "a@example.com", Subscription: "to"},
		{JID: "b@example.com", Subscription: "from", Ask: "subscribe"},
		{JID: "c@example.com", Subscription: "bogus"},
		{JID: "d@example.com/res", Subscription: "both"},
		{JID: "not a jid@", Subscription: "both"},
		{JID: "E@Example.com", Subscription: "remove"},
	}}
	got := parseRoster(q)
	want := map[string]rosterEntry{
		"a@example.com": {sub: "to"},
		"b@example.com": {sub: "from", ask: true},
		"c@example.com": {sub: "none"},
		"e@example.com": {sub: "remove"},
	}
	if len(got) != len(want) {
		t.Fatalf("got %+v", got)
	}
	for j, w := range want {
		if g := got[j]; g.sub != w.sub || g.ask != w.ask {
			t.Errorf("%s: %+v, want %+v", j, g, w)
		}
	}
	if !got["a@example.com"].subscribed() || got["b@example.com"].subscribed() {
		t.Error("subscribed() wrong")
	}
}

func TestOutgoingStanzasEscape(t *testing.T) {
	s := chat(`x'y"<z>&@example.com/r`, "a < b & 'c'")
	for _, bad := range []string{"x'y", `"<z>`, "a < b", "& '"} {
		if strings.Contains(s, bad) {
			t.Fatalf("unescaped %q in %s", bad, s)
		}
	}
	r := newStreamReader(strings.NewReader(header + s))
	st, err := r.next()
	if err != nil || text(st.Body) != "a < b & 'c'" {
		t.Fatalf("round trip: %+v, %v", st, err)
	}
}

// FuzzStreamReader feeds arbitrary bytes after a stream header: the reader
// must never panic and always end with an error once the input is used up,
// and whatever it returns must survive the session's accessors.
func FuzzStreamReader(f *testing.F) {
	f.Add(`<presence from='a@b/c'><show>away</show><priority>x</priority></presence>`)
	f.Add(`<iq type='result' id='r'><query xmlns='jabber:iq:roster'><item jid='a@b' subscription='both'><group>g</group></item></query></iq>`)
	f.Add(`<presence from='r@m/n'><x xmlns='http://jabber.org/protocol/muc#user'><status code='110'/></x></presence>`)
	f.Add(`<stream:error><bad-format xmlns='urn:ietf:params:xml:ns:xmpp-streams'/></stream:error>`)
	f.Add(`<message type='chat'><body>help</body><body xml:lang='de'>hilfe</body></message>`)
	f.Fuzz(func(t *testing.T, body string) {
		r := newStreamReader(strings.NewReader(header + body))
		for range 10000 {
			st, err := r.next()
			if err != nil {
				return
			}
			_, _, _ = splitJID(st.From)
			_ = status(st.Show)
			_ = priority(st.Priority)
			_ = text(st.Status) + text(st.Body)
			_ = st.MUC.hasStatus(mucSelf)
			_ = st.Error.condition()
			for j, e := range parseRoster(st.Roster) {
				if _, err := presence.ParseJID(j); err != nil || e.sub == "" {
					t.Fatalf("parseRoster kept %q %+v", j, e)
				}
			}
		}
		t.Fatal("reader did not end")
	})
}

// FuzzRosterItem checks roster normalisation on arbitrary attributes.
func FuzzRosterItem(f *testing.F) {
	f.Add("alice@example.com", "both", "subscribe", "Friends")
	f.Add("ALICE@EXAMPLE.COM/x", "to", "", "")
	f.Add("", "remove", "x", " ")
	f.Fuzz(func(t *testing.T, jid, sub, ask, group string) {
		got := parseRoster(&rosterQuery{Items: []rosterItemXML{{JID: jid, Subscription: sub, Ask: ask, Groups: []string{group, group}}}})
		for j, e := range got {
			if n, err := presence.ParseJID(j); err != nil || n != j {
				t.Fatalf("key %q is not a normalised JID", j)
			}
			switch e.sub {
			case "none", "to", "from", "both", "remove":
			default:
				t.Fatalf("subscription %q", e.sub)
			}
			if len(e.groups) > 1 {
				t.Fatalf("duplicate groups %q", e.groups)
			}
		}
	})
}
