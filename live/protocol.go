package live

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/url"

	"badges/presence"
)

// wsRequest is one subscribe or unsubscribe: valid topics with the sig
// offered for each, and what was wrong with the rest.
type wsRequest struct {
	subscribe bool
	topics    []presence.Topic
	sigs      []string
	errs      []string
}

// add parses raw as a JID or room; sigFor picks its sig by the raw or the
// normalised name.
func (req *wsRequest) add(kind presence.Kind, raw string, sigFor func(raw, name string) string) {
	parse := presence.ParseJID
	if kind == presence.KindRoom {
		parse = presence.ParseRoom
	}
	name, err := parse(raw)
	if err != nil {
		req.errs = append(req.errs, err.Error())
		return
	}
	req.topics = append(req.topics, presence.Topic{Kind: kind, Name: name})
	req.sigs = append(req.sigs, sigFor(raw, name))
}

// subscribeFromQuery reads ?jid=A&room=R at connect. Under signed
// visibility the i-th sig vouches for the i-th jid, then the rooms follow
// on, as in the batch JSON API.
func subscribeFromQuery(q url.Values) wsRequest {
	jids, rooms, sigs := q["jid"], q["room"], q["sig"]
	req := wsRequest{subscribe: true}
	sigAt := func(i int) func(string, string) string {
		return func(string, string) string {
			if i < len(sigs) {
				return sigs[i]
			}
			return ""
		}
	}
	for i, raw := range jids {
		req.add(presence.KindJID, raw, sigAt(i))
	}
	for i, raw := range rooms {
		req.add(presence.KindRoom, raw, sigAt(len(jids)+i))
	}
	return req
}

// clientFrame is a client's message (docs/API.md#live).
type clientFrame struct {
	Op    string            `json:"op"`
	JIDs  []string          `json:"jids"`
	Rooms []string          `json:"rooms"`
	Sigs  map[string]string `json:"sigs"`
}

// parseClientFrame decodes a subscribe or unsubscribe frame.
func parseClientFrame(b []byte) (wsRequest, error) {
	var f clientFrame
	if err := json.Unmarshal(b, &f); err != nil {
		// The decoder's own words name Go types: say what is wrong in the
		// protocol's terms (docs/API.md#deployment).
		if te, ok := errors.AsType[*json.UnmarshalTypeError](err); ok && te.Field != "" {
			return wsRequest{}, fmt.Errorf("bad frame: field %q has the wrong type", te.Field)
		}
		return wsRequest{}, errors.New("bad frame: not valid JSON")
	}
	var req wsRequest
	switch f.Op {
	case "subscribe":
		req.subscribe = true
	case "unsubscribe":
	default:
		return wsRequest{}, fmt.Errorf("bad frame: op %q (want subscribe or unsubscribe)", f.Op)
	}
	if len(f.JIDs)+len(f.Rooms) == 0 {
		return wsRequest{}, fmt.Errorf("bad frame: no jids or rooms")
	}
	sigFor := func(raw, name string) string {
		if sig, ok := f.Sigs[raw]; ok {
			return sig
		}
		return f.Sigs[name]
	}
	for _, raw := range f.JIDs {
		req.add(presence.KindJID, raw, sigFor)
	}
	for _, raw := range f.Rooms {
		req.add(presence.KindRoom, raw, sigFor)
	}
	return req, nil
}

// errorFrame encodes {"type":"error","error":msg}.
func errorFrame(msg string) []byte {
	b, _ := json.Marshal(struct {
		Type  string `json:"type"`
		Error string `json:"error"`
	}{"error", msg}) // two strings: cannot fail
	return b
}

// errorSummary folds a request's problems into one error frame's text.
func errorSummary(errs []string) string {
	if len(errs) == 1 {
		return errs[0]
	}
	return fmt.Sprintf("%s (and %d more)", errs[0], len(errs)-1)
}
