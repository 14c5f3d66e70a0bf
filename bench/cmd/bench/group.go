package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"time"

	"badges/internal/testenv"
)

// The group of the HTTP comparison: a roster group of the watcher, as a
// team page would show it, with half its members online. The members are
// real Prosody users who opted in; the group is filed from a second
// session of the watcher's account, as an operator would.
const (
	groupName    = "team"
	groupMembers = 12
	groupOnline  = 6
	botPassword  = "bench-password"
	groupTimeout = time.Minute
)

// groupServer is a Prosody for the watcher of the badges under test.
type groupServer struct {
	p   *testenv.Prosody
	bot string
}

// startGroupProsody starts Prosody with the watcher's account; prog's
// Close stops it.
func startGroupProsody(prog *testenv.Program) (*groupServer, error) {
	g := &groupServer{}
	err := prog.Do(func() error {
		g.p = testenv.StartProsodyWith(prog, testenv.ProsodyOptions{})
		g.bot = g.p.Register("badges", botPassword)
		return nil
	})
	return g, err
}

// flags are what badges needs to watch the server.
func (g *groupServer) flags() []string {
	return []string{"-xmpp-jid", g.bot, "-xmpp-password", botPassword, "-xmpp-server", g.p.Addr, "-xmpp-tls", "none"}
}

// fill registers the members, has each opt in, files all into the group,
// takes groupMembers-groupOnline of them offline again, and waits until
// badges at addr counts them.
func (g *groupServer) fill(ctx context.Context, prog *testenv.Program, addr string) error {
	err := prog.Do(func() error {
		admin := g.p.Connect(g.bot, botPassword, "admin")
		for i := range groupMembers {
			jid := g.p.Register("member"+strconv.Itoa(i), botPassword)
			c := g.p.Connect(jid, botPassword, "pc")
			if err := c.Subscription(g.bot, "subscribe"); err != nil {
				return err
			}
			c.AwaitPresence(groupTimeout, g.bot, "subscribe")
			if err := c.Subscription(g.bot, "subscribed"); err != nil {
				return err
			}
			if err := admin.SendRaw(`<iq type='set' id='g` + strconv.Itoa(i) + `'><query xmlns='jabber:iq:roster'><item jid='` +
				jid + `'><group>` + groupName + `</group></item></query></iq>`); err != nil {
				return err
			}
			if i >= groupOnline {
				if err := c.Unavailable(); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("group: %w", err)
	}
	return awaitGroup(ctx, "http://"+addr+"/api/v1/groups/"+groupName)
}

// awaitGroup polls the group's JSON until it counts every member.
func awaitGroup(ctx context.Context, url string) error {
	ctx, cancel := context.WithTimeout(ctx, groupTimeout)
	defer cancel()
	var got struct{ Online, Total int }
	for {
		res, err := http.Get(url)
		if err != nil {
			return fmt.Errorf("group: %w", err)
		}
		b, err := io.ReadAll(res.Body)
		res.Body.Close()
		if err == nil && json.Unmarshal(b, &got) == nil && got.Online == groupOnline && got.Total == groupMembers {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("group: %s says %s, want %d/%d online", url, b, groupOnline, groupMembers)
		case <-time.After(pollEvery):
		}
	}
}
