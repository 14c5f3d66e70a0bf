package presence

import (
	"slices"
	"time"
)

// detailsLocked derives the details of a visible st from what its contact
// publishes and from its resources, before privacy applies. Only the XMPP
// source has details: nothing of a user who opted out, and nothing that
// depends on resources while the XMPP statuses are stale.
func (d *Directory) detailsLocked(st *jidState) Details {
	if !st.rec.Subscribed || st.rec.OptedOut {
		return Details{}
	}
	det := Details{
		Name: st.profile.name(), AvatarID: st.profile.avatar(),
		Tune: st.profile.Tune, Mood: st.profile.Mood, Activity: st.profile.Activity,
	}
	if d.stale {
		return det
	}
	for _, r := range st.resources {
		if r.Device != "" && !slices.Contains(det.Devices, r.Device) {
			det.Devices = append(det.Devices, r.Device)
		}
	}
	slices.Sort(det.Devices)
	if best, ok := Best(st.resources); ok {
		det.IdleSince = best.IdleSince
	}
	return det
}

// SetProfile records what a subscribed contact publishes of itself (PEP
// items, vCard); the watcher sends the whole profile each time.
func (d *Directory) SetProfile(jid string, p Profile) {
	d.mu.Lock()
	defer d.mu.Unlock()
	st := d.jids[jid]
	if st == nil || !st.rec.Subscribed {
		return
	}
	p.Nick, p.VCardNick, p.VCardFN = CleanMessage(p.Nick), CleanMessage(p.VCardNick), CleanMessage(p.VCardFN)
	p.Tune, p.Mood, p.Activity = cleanTune(p.Tune), cleanMood(p.Mood), cleanActivity(p.Activity)
	st.profile = p
	d.refreshLocked(st, false)
}

// SetDevice records the client type of one resource, once its
// capabilities are verified; a resource that went away meanwhile is not
// brought back.
func (d *Directory) SetDevice(jid, resource, device string) {
	d.mu.Lock()
	defer d.mu.Unlock()
	st := d.jids[jid]
	if st == nil || !st.rec.Subscribed {
		return
	}
	r, ok := st.resources[resource]
	if !ok || r.Device == device {
		return
	}
	r.Device = device
	st.resources[resource] = r
	d.refreshLocked(st, false)
}

// SetLastActivity records when a contact that has no resource online was
// last active (XEP-0012), unless a later last_seen is known already.
func (d *Directory) SetLastActivity(jid string, at time.Time) {
	d.mu.Lock()
	defer d.mu.Unlock()
	st := d.jids[jid]
	if st == nil || !st.rec.Subscribed || len(st.resources) > 0 || at.IsZero() || !at.After(st.rec.LastSeen) {
		return
	}
	if now := d.now(); at.After(now) {
		at = now
	}
	st.rec.LastSeen = at
	d.refreshLocked(st, true)
}

func cleanTune(t *Tune) *Tune {
	if t == nil {
		return nil
	}
	c := Tune{Artist: CleanMessage(t.Artist), Title: CleanMessage(t.Title), Source: CleanMessage(t.Source),
		Track: CleanMessage(t.Track), URI: CleanMessage(t.URI), Length: max(t.Length, 0)}
	if c == (Tune{}) {
		return nil
	}
	return &c
}

func cleanMood(m *Mood) *Mood {
	if m == nil {
		return nil
	}
	c := Mood{Value: CleanMessage(m.Value), Text: CleanMessage(m.Text)}
	if c == (Mood{}) {
		return nil
	}
	return &c
}

func cleanActivity(a *Activity) *Activity {
	if a == nil {
		return nil
	}
	c := Activity{General: CleanMessage(a.General), Specific: CleanMessage(a.Specific), Text: CleanMessage(a.Text)}
	if c == (Activity{}) {
		return nil
	}
	return &c
}
