package main

import (
	"context"
	"fmt"
	"log/slog"

	"badges/presence"
	"badges/xmpp"
)

// watcher is what serve needs of the XMPP watcher.
type watcher interface {
	Run(ctx context.Context) error
	Connected() bool
}

var _ watcher = (*xmpp.Watcher)(nil)

// newWatcher builds the XMPP watcher from the configuration, or returns nil
// when -xmpp-jid is empty (badges then serves HTTP-pushed presence only).
func newWatcher(cfg Config, dir *presence.Directory, avatars xmpp.Avatars, log *slog.Logger) (watcher, error) {
	if cfg.XMPPJID == "" {
		return nil, nil
	}
	w, err := xmpp.New(xmpp.Config{
		JID:          cfg.XMPPJID,
		Password:     cfg.XMPPPassword,
		Server:       cfg.XMPPServer,
		TLS:          xmpp.TLSMode(cfg.XMPPTLS),
		Resource:     cfg.XMPPResource,
		Policy:       xmpp.Policy(cfg.Subscriptions),
		AllowDomains: cfg.AllowDomains,
		Watch:        cfg.Watch,
		Rooms:        cfg.Rooms,
		RoomNick:     cfg.RoomNick,
		Logger:       log.With("component", "xmpp"),
		Avatars:      avatars,
	}, dir)
	if err != nil {
		return nil, fmt.Errorf("xmpp watcher: %w", err)
	}
	return w, nil
}
