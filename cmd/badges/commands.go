package main

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"time"

	"badges/auth"
	"badges/presence"
)

// oneJID returns the single JID argument of token and sign, normalised.
func oneJID(cfg Config, cmd string, room bool) (string, error) {
	if len(cfg.Args) != 1 {
		return "", usageError{fmt.Errorf("usage: badges %s [flags] JID", cmd)}
	}
	if cfg.TokenSecret == "" {
		return "", usageError{errors.New("token-secret: required to " + cmd + " (flag -token-secret, BADGES_TOKEN_SECRET or BADGES_TOKEN_SECRET_FILE)")}
	}
	parse := presence.ParseJID
	if room {
		parse = presence.ParseRoom
	}
	jid, err := parse(cfg.Args[0])
	if err != nil {
		return "", usageError{err}
	}
	return jid, nil
}

// printToken prints a user token for a JID (docs/API.md#writing-presence).
func printToken(cfg Config, out io.Writer) error {
	jid, err := oneJID(cfg, "token", false)
	if err != nil {
		return err
	}
	_, err = fmt.Fprintln(out, auth.NewToken([]byte(cfg.TokenSecret), jid, time.Now()))
	return err
}

// printSig prints the sig value that lets a JID (or, as room:ROOM, a room)
// be read under -visibility=signed.
func printSig(cfg Config, out io.Writer) error {
	kind := auth.KindJID
	if len(cfg.Args) == 1 && len(cfg.Args[0]) > 5 && cfg.Args[0][:5] == "room:" {
		kind, cfg.Args = auth.KindRoom, []string{cfg.Args[0][5:]}
	}
	name, err := oneJID(cfg, "sign", kind == auth.KindRoom)
	if err != nil {
		return err
	}
	_, err = fmt.Fprintln(out, auth.Sign([]byte(cfg.TokenSecret), kind, name))
	return err
}

// healthcheck asks the local server's /healthz; it lets a container image
// without curl check itself.
func healthcheck(ctx context.Context, cfg Config) error {
	host, port, err := net.SplitHostPort(cfg.Listen)
	if err != nil {
		return usageError{fmt.Errorf("listen: %w", err)}
	}
	if host == "" || host == "0.0.0.0" || host == "::" {
		host = "127.0.0.1"
	}
	ctx, cancel := context.WithTimeout(ctx, 3*time.Second)
	defer cancel()
	scheme, client := "http", http.DefaultClient
	if cfg.TLSCert != "" {
		// The certificate names the public host, not loopback; this only
		// asks whether the process answers.
		scheme = "https"
		client = &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{InsecureSkipVerify: true}}}
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, scheme+"://"+net.JoinHostPort(host, port)+cfg.BasePath+"/healthz", nil)
	if err != nil {
		return err
	}
	res, err := client.Do(req)
	if err != nil {
		return fmt.Errorf("healthcheck: %w", err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusOK {
		return fmt.Errorf("healthcheck: %s", res.Status)
	}
	return nil
}
