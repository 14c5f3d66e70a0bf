package live

import (
	"encoding/json"
	"net/url"
	"testing"

	"badges/presence"
)

func FuzzParseClientFrame(f *testing.F) {
	for _, s := range []string{
		`{"op":"subscribe","jids":["a@example.com"],"rooms":["r@rooms.example.com"],"sigs":{"a@example.com":"x"}}`,
		`{"op":"unsubscribe","jids":["A@Example.com/phone"]}`,
		`{"op":"subscribe","jids":["@x",""]}`, `{"op":1}`, `[]`, `null`, ``,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		req, err := parseClientFrame(b)
		if err != nil {
			return
		}
		if len(req.topics) != len(req.sigs) {
			t.Fatalf("%d topics, %d sigs", len(req.topics), len(req.sigs))
		}
		for _, tp := range req.topics {
			if _, err := presence.ParseJID(tp.Name); err != nil {
				t.Fatalf("topic %q is not a valid JID: %v", tp.Name, err)
			}
		}
		var e struct{ Type, Error string }
		if json.Unmarshal(errorFrame(errorSummary(append(req.errs, "x"))), &e) != nil || e.Type != "error" {
			t.Fatal("error frame is not JSON")
		}
	})
}

func TestSubscribeFromQuerySigs(t *testing.T) {
	q, _ := url.ParseQuery("jid=a@example.com&jid=@bad&jid=c@example.com&room=r@rooms.example.com&sig=sa&sig=sb&sig=sc&sig=sr")
	req := subscribeFromQuery(q)
	want := map[string]string{"a@example.com": "sa", "c@example.com": "sc", "r@rooms.example.com": "sr"}
	if len(req.topics) != 3 || len(req.errs) != 1 {
		t.Fatalf("topics %v errs %v", req.topics, req.errs)
	}
	for i, tp := range req.topics {
		if req.sigs[i] != want[tp.Name] {
			t.Errorf("%s: sig %q, want %q", tp.Name, req.sigs[i], want[tp.Name])
		}
	}
}
