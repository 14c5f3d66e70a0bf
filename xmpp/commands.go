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
  hide F        stop showing F, one of: message name avatar tune mood activity devices idle all
  show F        show F again
  privacy       what is shown of you
  help          this text
To stop for good, remove me from your contacts: everything stored about you is deleted.`

const notSharedText = "Your presence is not shared with me. Add me to your contacts and accept my subscription request first."

const notSavedText = "Sorry, that could not be saved. Please try again later."

// handleMessage answers chat commands (docs/API.md#presence-model and
// #rich-presence: users choose whether they are shown and which fields are).
func (s *session) handleMessage(st *stanza, jid string) error {
	switch {
	case st.Event != nil && st.Type != "error":
		return s.pepEvent(jid, st.Event) // PEP notifications come as headlines
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
	verb, arg, _ := strings.Cut(cmd, " ")
	var fields presence.FieldSet
	switch {
	case cmd == "help" || cmd == "?":
		return helpText
	case cmd == "opt out" || cmd == "opt in" || cmd == "privacy":
	case verb == "hide" || verb == "show":
		if arg == "all" {
			fields = presence.AllFields
		} else if f, ok := presence.ParseField(arg); ok {
			fields = presence.FieldSet(f)
		} else {
			return "Send " + verb + " with one of: " + strings.ReplaceAll(presence.AllFields.String(), ",", " ") + " all."
		}
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
	optOut, hidden := rec.OptedOut, rec.HiddenFields()
	var done string
	switch verb {
	case "privacy":
		return privacyText(optOut, hidden, s.sink.Share())
	case "opt":
		optOut = arg == "out"
		done = "Your presence is shown again."
		if optOut {
			done = "Your presence is no longer shown. Send \"opt in\" to show it again."
		}
	case "hide":
		hidden |= fields
		done = "Hidden: " + arg + ". Send \"show " + arg + "\" to show it again."
		if arg == "message" {
			done = "Your status text is no longer shown. Send \"show message\" to show it again."
		}
	case "show":
		hidden &^= fields
		done = "Shown again: " + arg + "."
		if arg == "message" {
			done = "Your status text is shown again."
		}
	}
	if err := s.sink.SetChoice(jid, optOut, hidden); err != nil {
		// Also when the Directory does not hold the subscription
		// (presence.ErrNotSubscribed, its save failed): nothing was kept.
		s.log.Error("xmpp: store a user's choice", "jid", jid, "err", err)
		return notSavedText
	}
	s.log.Info("xmpp: user choice", "jid", jid, "command", cmd)
	return done
}

// privacyText answers "privacy": what is shown of the user, what the user
// hid, and what this server never shows.
func privacyText(optOut bool, hidden, share presence.FieldSet) string {
	if optOut {
		return "Nothing is shown of you: you opted out. Send \"opt in\" to show your presence again."
	}
	list := func(s presence.FieldSet) string {
		if s&presence.AllFields == 0 {
			return "nothing"
		}
		return strings.ReplaceAll(s.String(), ",", ", ")
	}
	var b strings.Builder
	b.WriteString("Shown: your status, last seen")
	if shown := share &^ hidden & presence.AllFields; shown != 0 {
		b.WriteString(", " + list(shown))
	}
	b.WriteString(".\nHidden by you: " + list(hidden&presence.AllFields) + ".")
	if never := presence.AllFields &^ share; never != 0 {
		b.WriteString("\nNever shown by this server: " + list(never) + ".")
	}
	return b.String()
}
