package xmpp

import (
	"testing"
)

// The example of XEP-0115 5.2 and 5.3, and answers that must not verify.
func TestVerifyCaps(t *testing.T) {
	simple := `<iq type='result' id='1'><query xmlns='` + nsDiscoInfo + `'>
<identity category='client' type='pc' name='Exodus 0.9.1'/>
<feature var='http://jabber.org/protocol/muc'/><feature var='http://jabber.org/protocol/disco#info'/>
<feature var='http://jabber.org/protocol/disco#items'/><feature var='http://jabber.org/protocol/caps'/></query></iq>`
	complex := `<iq type='result' id='1'><query xmlns='` + nsDiscoInfo + `'>
<identity xml:lang='en' category='client' name='Psi 0.11' type='pc'/>
<identity xml:lang='el' category='client' name='Ψ 0.11' type='pc'/>
<feature var='http://jabber.org/protocol/caps'/><feature var='http://jabber.org/protocol/disco#info'/>
<feature var='http://jabber.org/protocol/disco#items'/><feature var='http://jabber.org/protocol/muc'/>
<x xmlns='jabber:x:data' type='result'>
<field var='FORM_TYPE' type='hidden'><value>urn:xmpp:dataforms:softwareinfo</value></field>
<field var='ip_version'><value>ipv4</value><value>ipv6</value></field>
<field var='os'><value>Mac</value></field><field var='os_version'><value>10.5.1</value></field>
<field var='software'><value>Psi</value></field><field var='software_version'><value>0.11</value></field>
</x></query></iq>`
	dupFeature := `<iq type='result' id='1'><query xmlns='` + nsDiscoInfo + `'><identity category='client' type='pc'/>
<feature var='a'/><feature var='a'/></query></iq>`
	tests := []struct {
		name, raw, hash, ver string
		device               string
		ok                   bool
	}{
		{"XEP-0115 simple", simple, "sha-1", "QgayPKawpkPSDYmwT/WM94uAlu0=", "pc", true},
		{"XEP-0115 complex", complex, "sha-1", "q07IKJEyjvHSyhy//CH0CxmKi8w=", "pc", true},
		{"wrong ver", simple, "sha-1", "AAAAPKawpkPSDYmwT/WM94uAlu0=", "", false},
		{"unknown hash", simple, "md5", "QgayPKawpkPSDYmwT/WM94uAlu0=", "", false},
		{"duplicate feature", dupFeature, "sha-1", "anything", "", false},
	}
	for _, tt := range tests {
		st, err := decodeStanza(tt.raw)
		if err != nil || st.Disco == nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		device, ok := verifyCaps(*st.Disco, tt.hash, tt.ver)
		if device != tt.device || ok != tt.ok {
			t.Errorf("%s: %q %v, want %q %v", tt.name, device, ok, tt.device, tt.ok)
		}
	}
}

// The watcher's own answer verifies against the ver it advertises.
func TestOwnCaps(t *testing.T) {
	st, err := decodeStanza("<iq type='result' id='1'>" + discoInfoPayload(capsNode+"#"+ownVer) + "</iq>")
	if err != nil || st.Disco == nil {
		t.Fatal(err)
	}
	if st.Disco.Node != capsNode+"#"+ownVer {
		t.Errorf("node %q", st.Disco.Node)
	}
	if _, ok := verifyCaps(*st.Disco, "sha-1", ownVer); !ok {
		t.Errorf("own answer does not verify against %s", ownVer)
	}
	features := map[string]bool{}
	for _, f := range st.Disco.Features {
		features[f.Var] = true
	}
	for _, n := range pepNodes {
		if !features[n+"+notify"] {
			t.Errorf("no +notify for %s", n)
		}
	}
}

// FuzzCapsInput: any disco#info answer is either refused or hashed without
// a panic.
func FuzzCapsInput(f *testing.F) {
	f.Add(`<iq type='result' id='1'><query xmlns='`+nsDiscoInfo+`'><identity category='client' type='pc' name='Exodus 0.9.1'/><feature var='http://jabber.org/protocol/caps'/><feature var='http://jabber.org/protocol/disco#info'/><feature var='http://jabber.org/protocol/disco#items'/><feature var='http://jabber.org/protocol/muc'/></query></iq>`, "QgayPKawpkPSDYmwT/WM94uAlu0=")
	f.Add(`<iq type='result' id='1'><query xmlns='`+nsDiscoInfo+`'><x xmlns='jabber:x:data' type='result'/><x xmlns='jabber:x:data' type='result'><field var='FORM_TYPE' type='hidden'><value>urn:x</value></field><field var='a'><value>2</value><value>1</value></field></x></query></iq>`, "x")
	f.Fuzz(func(t *testing.T, raw, ver string) {
		st, err := decodeStanza(raw)
		if err != nil || st.Disco == nil {
			return
		}
		device, ok := verifyCaps(*st.Disco, "sha-1", ver)
		if !ok && device != "" {
			t.Fatalf("refused, yet device %q", device)
		}
	})
}
