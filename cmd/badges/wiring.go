package main

import (
	"fmt"
	"log/slog"

	"github.com/prometheus/client_golang/prometheus"
	"golang.org/x/time/rate"

	"badges/auth"
	"badges/forwarded"
	"badges/presence"
	"badges/web"
)

// webOptions turns the configuration into the web server's options.
func webOptions(cfg Config, hub presence.Hub, dir *presence.Directory, log *slog.Logger, reg *prometheus.Registry) (web.Options, error) {
	keys, err := auth.ParseKeys(cfg.APIKeys)
	if err != nil {
		return web.Options{}, fmt.Errorf("api-keys: %w", err)
	}
	opts := web.Options{
		Hub: hub, Directory: dir, Logger: log, PublicURL: cfg.PublicURL,
		Registry: reg, ShowMessages: cfg.ShowMessages,
		APIKeys: keys, TokenSecret: []byte(cfg.TokenSecret), TokenTTL: cfg.TokenTTL,
		Origins: cfg.Origins, RedirectHosts: cfg.RedirectHosts,

		MaxConnsPerClient: cfg.WSPerClient, MaxConns: cfg.WSMax,
		ConnectRate: rate.Limit(cfg.WSConnectRate), ConnectBurst: cfg.WSConnectBurst,
		WriteRate: rate.Limit(cfg.WriteRate), WriteBurst: cfg.WriteBurst,
		CacheBytes: cfg.CacheBytes,

		BasePath: cfg.BasePath, MetricsElsewhere: cfg.MetricsListen != "",
	}
	if opts.TrustedProxies, err = forwarded.ParseProxies(cfg.TrustedProxies); err != nil {
		return web.Options{}, fmt.Errorf("trusted-proxies: %w", err)
	}
	if cfg.Visibility == "signed" {
		secret := []byte(cfg.TokenSecret)
		opts.Verify = func(t presence.Topic, sig string) bool {
			kind := auth.KindJID
			if t.Kind == presence.KindRoom {
				kind = auth.KindRoom
			}
			return auth.VerifySig(secret, kind, t.Name, sig)
		}
	}
	return opts, nil
}
