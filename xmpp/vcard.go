package xmpp

const (
	nsVCard       = "vcard-temp"          // XEP-0054
	nsVCardUpdate = "vcard-temp:x:update" // XEP-0153
)

// vcardXML is the part of a vCard the watcher reads (XEP-0054): names and
// the photo's data. A photo by EXTVAL names a URL, which is never fetched.
type vcardXML struct {
	FN       string `xml:"FN"`
	Nickname string `xml:"NICKNAME"`
	Photo    *struct {
		BinVal string `xml:"BINVAL"`
	} `xml:"PHOTO"`
}

// vcardUpdateXML is the XEP-0153 <x/> of a presence: the SHA-1 of the
// current vCard photo, empty for none; a missing <photo/> says nothing.
type vcardUpdateXML struct {
	Photo *string `xml:"photo"`
}

// photo returns the decoded photo, nil when there is none, it does not
// decode or it is over limit bytes.
func (v *vcardXML) photo(limit int) []byte {
	if v.Photo == nil {
		return nil
	}
	return decodeBase64(v.Photo.BinVal, limit)
}

// vcardGet asks for a contact's vCard (XEP-0054 3.2).
const vcardGet = "<vCard xmlns='" + nsVCard + "'/>"
