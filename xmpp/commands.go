package xmpp

import (
	"strings"
	"time"

	"badges/presence"
)

// hintEvery limits the "unknown command" hint to one per JID and interval,
// so that two bots answering each other cannot loop.
const hintEvery = time.Minute

// maxHinted bounds the memory of who got a hint; beyond it the record
// starts over, which at worst sends one hint too many.
const maxHinted = 1024

const helpText = `I publish the presence of people who share it with me as web badges.
Commands:
  opt out       stop showing your presence (you stay subscribed)
  opt in        show it again
  hide message  show your status but not your status text
  show message  show your status text again
  help          this text
To stop for good, remove me from your contacts: everything stored about you is deleted.`

const notSharedText = "Your presence is not shared with me. Add me to your contacts and accept my subscription request first."

const notSavedText = "Sorry, that could not be saved. Please try again later."

// handleMessage answers chat commands (docs/API.md#presence-model: users choose whether they are
// shown and whether their status text is).
func (s *session) handleMessage(st *stanza, jid string) error {
	switch {
	case st.Type == "groupchat" || st.Type == "error" || st.Type == "headline":
		return nil // never answer these: rooms, bounces and broadcasts
	case st.MUC != nil || jid == s.bare || presence.Local(jid) == "":
		return nil // room invitations, ourselves, servers and services
	}
	body := strings.Join(strings.Fields(strings.ToLower(text(st.Body))), " ")
	if body == "" {
		return nil // chat states, receipts and the like
	}
	reply := s.command(jid, body)
	if reply == "" {
		return nil
	}
	return s.send(chat(st.From, reply))
}

// command runs one command and returns the reply, "" for none.
func (s *session) command(jid, cmd string) string {
	var optOut, hide *bool
	yes, no := true, false
	var done string
	switch cmd {
	case "help", "?":
		return helpText
	case "opt out":
		optOut, done = &yes, "Your presence is no longer shown. Send \"opt in\" to show it again."
	case "opt in":
		optOut, done = &no, "Your presence is shown again."
	case "hide message":
		hide, done = &yes, "Your status text is no longer shown. Send \"show message\" to show it again."
	case "show message":
		hide, done = &no, "Your status text is shown again."
	default:
		now := time.Now()
		if last, ok := s.hinted[jid]; ok && now.Sub(last) < hintEvery {
			return ""
		}
		if len(s.hinted) >= maxHinted {
			clear(s.hinted)
		}
		s.hinted[jid] = now
		return "Unknown command. Send \"help\" for the list."
	}
	if !s.roster[jid].subscribed() {
		return notSharedText
	}
	rec, _ := s.sink.Record(jid)
	if optOut == nil {
		optOut = &rec.OptedOut
	}
	if hide == nil {
		hide = &rec.HideMessage
	}
	if err := s.sink.SetChoice(jid, *optOut, *hide); err != nil {
		// Also when the Directory does not hold the subscription
		// (presence.ErrNotSubscribed, its save failed): nothing was kept.
		s.log.Error("xmpp: store a user's choice", "jid", jid, "err", err)
		return notSavedText
	}
	s.log.Info("xmpp: user choice", "jid", jid, "command", cmd)
	return done
}
