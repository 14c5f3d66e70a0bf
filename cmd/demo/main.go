// Command demo shows badges doing its real job on one machine: it starts a
// throwaway Prosody with demo accounts, runs the badges binary connected to
// it, has the demo users opt in, join a room and change their presence now
// and then, and prints where to look. Ctrl-C stops everything.
package main

import (
	"context"
	"flag"
	"fmt"
	"log"
	"math/rand/v2"
	"net/http"
	"os"
	"os/exec"
	"os/signal"
	"syscall"
	"time"

	"badges/internal/testenv"
)

// Timing of the demo.
const (
	readyTimeout = 30 * time.Second // badges connected to Prosody and serving
	optInTimeout = 10 * time.Second // one user's subscription handshake with the watcher
	minChange    = 2 * time.Second  // users change presence every 2 to 5 s
	maxChange    = 5 * time.Second
)

var users = []string{"alice", "bob", "carol", "dave"}

func main() {
	log.SetFlags(log.Ltime)
	listen := flag.String("listen", "127.0.0.1:8080", "address badges listens on")
	bin := flag.String("badges", "bin/badges", "the badges binary to run")
	flag.Parse()

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	r := &testenv.Program{}
	err := r.Do(func() error { return demo(ctx, r, *listen, *bin) })
	r.Close()
	if err != nil {
		log.Fatalf("demo: %v", err)
	}
}

func demo(ctx context.Context, r *testenv.Program, listen, bin string) error {
	log.Print("starting a throwaway Prosody")
	p := testenv.StartProsody(r)
	const password = "demo-password"
	bot := p.Register("badges", password)
	for _, u := range users {
		p.Register(u, password)
	}
	room := "lounge@" + p.MUCDomain

	data, err := os.MkdirTemp("", "badges-demo-data-")
	if err != nil {
		return err
	}
	r.Cleanup(func() { os.RemoveAll(data) })
	srv := exec.CommandContext(ctx, bin, "serve",
		"-listen", listen, "-data", data, "-public-url", "http://"+listen,
		"-xmpp-jid", bot, "-xmpp-server", p.Addr, "-xmpp-tls", "none",
		"-rooms", room, "-stale-after", "30s")
	srv.Env = append(os.Environ(), "BADGES_XMPP_PASSWORD="+password)
	srv.Stdout, srv.Stderr = os.Stdout, os.Stderr
	if err := srv.Start(); err != nil {
		return fmt.Errorf("start %s (build it with make build): %w", bin, err)
	}
	r.Cleanup(func() { _ = srv.Process.Signal(syscall.SIGTERM); _ = srv.Wait() })
	if err := awaitReady(ctx, "http://"+listen+"/readyz"); err != nil {
		return err
	}

	clients := make([]*testenv.Client, len(users))
	for i, u := range users {
		jid := u + "@" + p.Domain
		c := p.Connect(jid, password, "laptop")
		// Opt in: subscribe to the watcher, then approve its request back.
		if err := c.Subscription(bot, "subscribe"); err != nil {
			return err
		}
		c.AwaitPresence(optInTimeout, bot, "subscribe")
		if err := c.Subscription(bot, "subscribed"); err != nil {
			return err
		}
		if i%2 == 0 {
			if err := c.JoinRoom(room, u); err != nil {
				return err
			}
		}
		clients[i] = c
	}

	base := "http://" + listen
	fmt.Printf(`
badges is running against a throwaway Prosody. Open:

  %[1]s/                                   the badge builder
  %[1]s/dashboard?jid=alice@%[2]s&jid=bob@%[2]s&jid=carol@%[2]s&jid=dave@%[2]s
  %[1]s/badge/alice@%[2]s.svg              a badge (try ?style=for-the-badge)
  %[1]s/embed/bob@%[2]s                    the iframe embed
  %[1]s/room/%[3]s.svg        the room badge
  %[1]s/api/v1/presence/carol@%[2]s        the JSON API

The demo users change their presence every few seconds. Ctrl-C stops everything.

`, base, p.Domain, room)
	return drive(ctx, clients)
}

// drive changes a random user's presence every few seconds until ctx ends.
func drive(ctx context.Context, clients []*testenv.Client) error {
	shows := []struct{ show, status string }{
		{"", "Working on the release"}, {"chat", "Ask me anything"}, {"away", "Lunch"},
		{"xa", "On holiday"}, {"dnd", "In a meeting"}, {"", ""},
	}
	for {
		wait := minChange + rand.N(maxChange-minChange)
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(wait):
		}
		c := clients[rand.N(len(clients))]
		if rand.N(8) == 0 {
			log.Printf("%s goes offline", c.JID)
			if err := c.Unavailable(); err != nil {
				return err
			}
			continue
		}
		s := shows[rand.N(len(shows))]
		log.Printf("%s: show=%q status=%q", c.JID, s.show, s.status)
		if err := c.SetPresence(s.show, s.status, 0); err != nil {
			return err
		}
	}
}

// awaitReady polls /readyz until badges is connected to Prosody.
func awaitReady(ctx context.Context, url string) error {
	deadline := time.Now().Add(readyTimeout)
	for time.Now().Before(deadline) {
		res, err := http.Get(url)
		if err == nil {
			res.Body.Close()
			if res.StatusCode == http.StatusOK {
				return nil
			}
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(100 * time.Millisecond): // poll interval
		}
	}
	return fmt.Errorf("badges not ready within %s", readyTimeout)
}
