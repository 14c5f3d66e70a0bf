package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"time"

	"badges/internal/testenv"
)

// The peer of the HTTP comparison: Prosody's mod_webpresence (Debian's
// prosody-modules) serving /status/{jid}/image, a status PNG like ours,
// for a user who is online, on the throwaway Prosody of internal/testenv.

// xmppTimeout bounds the wait for the user's presence to show, on a busy machine.
const xmppTimeout = 10 * time.Second

// startProsody starts Prosody with mod_webpresence and a user whose
// presence is show (dnd, away...), and returns the URL of its status image
// and the server's process id. prog's Close stops everything.
func startProsody(ctx context.Context, prog *testenv.Program, show string) (url string, pid int, err error) {
	err = prog.Do(func() error {
		p := testenv.StartProsodyWith(prog, testenv.ProsodyOptions{WebPresence: true})
		const password = "bench-password"
		jid := p.Register("bench", password)
		c := p.Connect(jid, password, "bench")
		if err := c.SetPresence(show, "In a meeting", 0); err != nil {
			return fmt.Errorf("prosody: %w", err)
		}
		base := "http://" + p.HTTPAddr + "/status/" + jid
		if err := awaitShow(ctx, base+"/text", show); err != nil {
			return err
		}
		url, pid = base+"/image", p.PID()
		return nil
	})
	return url, pid, err
}

// awaitShow waits until mod_webpresence reports the user's presence, so
// that it is measured answering for an online user.
func awaitShow(ctx context.Context, url, show string) error {
	ctx, cancel := context.WithTimeout(ctx, xmppTimeout)
	defer cancel()
	for {
		res, err := http.Get(url)
		if err != nil {
			return fmt.Errorf("prosody: %w", err)
		}
		b, err := io.ReadAll(res.Body)
		res.Body.Close()
		if err != nil {
			return fmt.Errorf("prosody: %w", err)
		}
		if string(b) == show {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("prosody: %s shows %q, not %q", url, b, show)
		case <-time.After(pollEvery):
		}
	}
}
