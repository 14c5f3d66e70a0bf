// Command demo shows badges doing its real job on one machine: it starts a
// throwaway Prosody with demo accounts, runs the badges binary connected to
// it, has the demo users opt in, join a room and change their presence now
// and then, and prints where to look. Ctrl-C stops everything.
//
// With -replicas N (make demo-cluster) it runs a throwaway Redis, N badges
// replicas sharing it and an nginx in front of them, so that a WebSocket on
// one replica can be seen following a change made through another.
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
	replicas := flag.Int("replicas", 1, "badges replicas; more than 1 shares a throwaway Redis behind an nginx")
	flag.Parse()

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	r := &testenv.Program{}
	err := r.Do(func() error { return demo(ctx, r, *listen, *bin, *replicas) })
	r.Close()
	if err != nil {
		log.Fatalf("demo: %v", err)
	}
}

func demo(ctx context.Context, r *testenv.Program, listen, bin string, replicas int) error {
	log.Print("starting a throwaway Prosody")
	p := testenv.StartProsody(r)
	const password = "demo-password"
	bot := p.Register("badges", password)
	for _, u := range users {
		p.Register(u, password)
	}
	room := "lounge@" + p.MUCDomain
	args := []string{"-xmpp-jid", bot, "-xmpp-server", p.Addr, "-xmpp-tls", "none",
		"-rooms", room, "-stale-after", "30s"}

	var bases []string
	if replicas <= 1 {
		data, err := os.MkdirTemp("", "badges-demo-data-")
		if err != nil {
			return err
		}
		r.Cleanup(func() { os.RemoveAll(data) })
		if err := runBadges(ctx, r, bin, listen, append(args, "-data", data, "-public-url", "http://"+listen)); err != nil {
			return err
		}
		bases = []string{"http://" + listen}
	} else {
		log.Print("starting a throwaway Redis")
		rd := testenv.StartRedis(r)
		ports, err := testenv.FreePorts(replicas)
		if err != nil {
			return err
		}
		upstream := ""
		for _, port := range ports {
			addr := fmt.Sprintf("127.0.0.1:%d", port)
			if err := runBadges(ctx, r, bin, addr, append(args, "-redis", rd.URL, "-trusted-proxies", "127.0.0.1")); err != nil {
				return err
			}
			bases = append(bases, "http://"+addr)
			upstream += "    server " + addr + ";\n"
		}
		log.Print("starting nginx in front of the replicas")
		site, err := os.ReadFile("deploy/nginx-replicas.conf")
		if err != nil {
			return fmt.Errorf("run from the repository's root: %w", err)
		}
		n := testenv.StartNginx(r, testenv.NginxOptions{Site: string(site),
			Replace: []string{"    server badges1:8080;\n    server badges2:8080;\n    server badges3:8080;\n", upstream}})
		bases = append([]string{"http://" + n.Addr}, bases...)
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

	base := bases[0]
	fmt.Printf(`
badges is running against a throwaway Prosody. Open:

  %[1]s/                                   the badge builder
  %[1]s/dashboard?jid=alice@%[2]s&jid=bob@%[2]s&jid=carol@%[2]s&jid=dave@%[2]s
  %[1]s/badge/alice@%[2]s.svg              a badge (try ?style=for-the-badge)
  %[1]s/embed/bob@%[2]s                    the iframe embed
  %[1]s/room/%[3]s.svg        the room badge
  %[1]s/api/v1/presence/carol@%[2]s        the JSON API

`, base, p.Domain, room)
	if len(bases) > 1 {
		fmt.Printf("That is nginx in front of %d replicas sharing a Redis. Each replica answers on its own too:\n\n", len(bases)-1)
		for _, b := range bases[1:] {
			fmt.Printf("  %s/embed/bob@%s   (%s/readyz says whether it runs the watcher)\n", b, p.Domain, b)
		}
		fmt.Printf(`
Open the embed on two replicas side by side and push a change through another:

  curl -X PUT -H 'Authorization: Bearer %s' -d '{"status":"dnd","message":"pushed","ttl":60}' %s/api/v1/presence/bob@%s

`, demoKey, bases[len(bases)-1], p.Domain)
	}
	fmt.Print("The demo users change their presence every few seconds. Ctrl-C stops everything.\n\n")
	return drive(ctx, clients)
}

// demoKey is the write API key of the demo's servers.
const demoKey = "demo-api-key-0123456789"

// runBadges starts the badges binary on listen and waits until it is ready.
func runBadges(ctx context.Context, r *testenv.Program, bin, listen string, args []string) error {
	srv := exec.CommandContext(ctx, bin, append([]string{"serve", "-listen", listen, "-api-keys", demoKey}, args...)...)
	srv.Env = append(os.Environ(), "BADGES_XMPP_PASSWORD=demo-password")
	srv.Stdout, srv.Stderr = os.Stdout, os.Stderr
	if err := srv.Start(); err != nil {
		return fmt.Errorf("start %s (build it with make build): %w", bin, err)
	}
	r.Cleanup(func() { _ = srv.Process.Signal(syscall.SIGTERM); _ = srv.Wait() })
	return awaitReady(ctx, "http://"+listen+"/readyz")
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
