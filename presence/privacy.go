package presence

import "time"

// Privacy: what is served of a visible JID is what the operator shares
// (-share, -show-messages) minus what the user hid (chat commands "hide F").
// Every output, JSON, WebSocket frames, kopano, badges and pages, takes the
// presence the Directory computes, so this is the one place where both
// apply (docs/API.md#rich-presence).

// shownLocked is the set of fields served of st.
func (d *Directory) shownLocked(st *jidState) FieldSet {
	return d.share &^ st.rec.HiddenFields()
}

// Only returns d without the fields that shown leaves out.
func (d Details) Only(shown FieldSet) Details {
	if !shown.Has(FieldName) {
		d.Name = ""
	}
	if !shown.Has(FieldAvatar) {
		d.AvatarID = ""
	}
	if !shown.Has(FieldDevices) {
		d.Devices = nil
	}
	if !shown.Has(FieldIdle) {
		d.IdleSince = time.Time{}
	}
	if !shown.Has(FieldTune) {
		d.Tune = nil
	}
	if !shown.Has(FieldMood) {
		d.Mood = nil
	}
	if !shown.Has(FieldActivity) {
		d.Activity = nil
	}
	return d
}

// Share is what the operator serves at all of what users publish.
func (d *Directory) Share() FieldSet { return d.share }
