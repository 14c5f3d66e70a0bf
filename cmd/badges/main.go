// Command badges serves XMPP presence as badges, embeds and JSON APIs.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

// version is set at build time with -ldflags "-X main.version=...".
var version = "dev"

// exitCoder is an error that chooses the process exit status.
type exitCoder interface {
	error
	ExitCode() int
}

// usageError marks a bad command line or configuration: exit status 2.
type usageError struct{ err error }

func (e usageError) Error() string { return e.err.Error() }
func (e usageError) Unwrap() error { return e.err }
func (e usageError) ExitCode() int { return 2 }

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr)
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "badges:", err)
		code := 1
		if ec, ok := errors.AsType[exitCoder](err); ok {
			code = ec.ExitCode()
		}
		os.Exit(code)
	}
}

// run is the whole program, minus the process: tests call it with their own
// arguments, environment and writers, and stop it by cancelling ctx.
func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	cmd := "serve"
	if len(args) > 0 && len(args[0]) > 0 && args[0][0] != '-' {
		cmd, args = args[0], args[1:]
	}
	switch cmd {
	case "serve", "token", "sign", "healthcheck", "migrate":
	case "version":
		fmt.Fprintln(stdout, "badges", version)
		return nil
	case "help":
		writeUsage(stdout)
		return nil
	default:
		return usageError{fmt.Errorf("unknown command %q (want serve, token, sign, migrate, version)", cmd)}
	}
	cfg, err := loadConfig(args, getenv)
	if errors.Is(err, flag.ErrHelp) {
		writeUsage(stdout)
		return nil
	}
	if err != nil {
		return usageError{err}
	}
	switch cmd {
	case "token":
		return printToken(cfg, stdout)
	case "sign":
		return printSig(cfg, stdout)
	case "healthcheck":
		return healthcheck(ctx, cfg)
	case "migrate":
		return migrate(cfg, stdout)
	}
	if len(cfg.Args) > 0 {
		return usageError{fmt.Errorf("serve takes no arguments, got %q", cfg.Args)}
	}
	return serve(ctx, cfg, stdout, stderr)
}
