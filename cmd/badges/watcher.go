package main

import (
	"context"
	"log/slog"

	"badges/presence"
)

// watcher is what serve needs of the XMPP watcher.
type watcher interface {
	Run(ctx context.Context) error
	Connected() bool
}

// newWatcher builds the XMPP watcher, or returns nil when -xmpp-jid is empty.
func newWatcher(cfg Config, dir *presence.Directory, log *slog.Logger) (watcher, error) {
	if cfg.XMPPJID == "" {
		return nil, nil
	}
	return nil, nil
}
