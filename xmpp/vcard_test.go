package xmpp

import (
	"testing"

	"badges/avatar"
)

// FuzzVCard: any vCard answer gives names and at most a picture of the
// limit, and the photo decoder refuses what is not a picture.
func FuzzVCard(f *testing.F) {
	f.Add(`<iq type='result' id='1'><vCard xmlns='vcard-temp'><FN>F</FN><NICKNAME>N</NICKNAME><PHOTO><TYPE>image/png</TYPE><BINVAL>iVBORw0KGgo=</BINVAL></PHOTO></vCard></iq>`)
	f.Add(`<iq type='result' id='1'><vCard xmlns='vcard-temp'><PHOTO><EXTVAL>http://example.com/a.png</EXTVAL></PHOTO></vCard></iq>`)
	f.Add(`<presence><x xmlns='vcard-temp:x:update'><photo>abc</photo></x></presence>`)
	f.Fuzz(func(t *testing.T, raw string) {
		st, err := decodeStanza(raw)
		if err != nil || st.VCard == nil {
			return
		}
		if b := st.VCard.photo(avatar.MaxBytes); len(b) > avatar.MaxBytes {
			t.Fatalf("photo of %d bytes", len(b))
		}
		_, _, _ = avatar.Normalize(st.VCard.photo(avatar.MaxBytes))
	})
}
