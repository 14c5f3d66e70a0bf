// Package web is the HTTP face of badges: every route of docs/API.md,
// the shared response rules (no-cache, strong ETags, 304, nosniff, CORS),
// request limits and metrics. It reads presence from the hub and never
// talks to the XMPP watcher directly.
package web

import (
	"context"
	"log/slog"
	"net/http"
	"net/url"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"golang.org/x/time/rate"

	"badges/auth"
	"badges/avatar"
	"badges/forwarded"
	"badges/live"
	"badges/presence"
	"badges/render"
	"badges/templates"
	"badges/visibility"
	"badges/web/kopano"
	"badges/web/openfire"
)

// Directory is what the handlers need from the presence directory.
type Directory interface {
	Group(name string) []string
	SetHTTP(jid string, s presence.Status, message string, ttl time.Duration) (*presence.Entry, error)
	ClearHTTP(jid string) (*presence.Entry, error)
	Sources(jid string) map[presence.Source]presence.SourceState
}

var _ Directory = (*presence.Directory)(nil)

// Options configure a Server. Hub and Directory are required.
type Options struct {
	Hub       presence.Hub
	Directory Directory
	Logger    *slog.Logger
	// PublicURL is the base URL of generated snippets; nil: the request's
	// Host and scheme (https over TLS) under BasePath, as a trusted proxy
	// reports them (TrustedProxies).
	PublicURL *url.URL
	// Ready reports why the server is not ready, or "" when it is.
	Ready func() string
	// Watcher, for a replica on Redis, says whether it holds the XMPP
	// watcher: "leader" or "standby", in /readyz; nil: a single server.
	Watcher func() string
	// Registry receives the server's metrics; nil: a private registry.
	Registry *prometheus.Registry
	// Gatherer serves /metrics; nil: Registry.
	Gatherer prometheus.Gatherer
	// ShowMessages: whether status texts are served at all.
	ShowMessages bool
	// Verify checks sig values under signed visibility; nil: public.
	Verify visibility.Verifier
	// Now is the clock; nil: time.Now.
	Now func() time.Time
	// Origins are the origin patterns allowed to open a WebSocket
	// (path.Match against the Origin's host, or scheme://host when a
	// pattern holds "://"). The server's own host is always allowed.
	// Empty or containing "*": any origin.
	Origins []string
	// ConnectRate limits WebSocket connects per second per client address;
	// 0: 5 a second; rate.Inf: no limit.
	ConnectRate rate.Limit
	// ConnectBurst is the per-client burst of connects; 0: 30.
	ConnectBurst int
	// MaxConnsPerClient caps the WebSockets one client address (an IPv6
	// client by its /64) holds open at once; beyond it a connect gets 429.
	// 0: 50; negative: no cap.
	MaxConnsPerClient int
	// MaxConns caps the WebSockets open at once; beyond it a connect gets
	// 503. 0: 18,000; negative: no cap.
	MaxConns int
	// APIKeys authorise the write API; nil: no key is valid.
	APIKeys *auth.Keys
	// TokenSecret signs user tokens; empty: no token is valid.
	TokenSecret []byte
	// TokenTTL is a user token's lifetime; 0: 5 minutes.
	TokenTTL time.Duration
	// WriteRate limits presence writes (the write API and kopano's PUT and
	// POST) per second per client address; 0: 10 a second; rate.Inf: no limit.
	// kopano's GET, a read with a body, is limited at the same rate in a
	// bucket of its own.
	WriteRate rate.Limit
	// WriteBurst is the per-client burst of writes, and of kopano's reads;
	// 0: 100.
	WriteBurst int
	// CacheBytes bounds, in bytes, all the server's caches together:
	// rendered images, answers and normalised names; 0: 64 MiB.
	CacheBytes int64
	// TrustedProxies are the reverse proxies whose forwarding headers name
	// the client and the public URL (docs/API.md#deployment); empty: none.
	TrustedProxies forwarded.Proxies
	// BasePath is the prefix every route lives under, "/p" (no trailing
	// slash); "": the root. Generated URLs carry it.
	BasePath string
	// MetricsElsewhere: /metrics is served by Server.Metrics on a
	// listener of its own, not on this handler.
	MetricsElsewhere bool
	// RedirectHosts are the hosts (lower-case names or IP addresses, no
	// port) that the Openfire images redirect may point to; empty: none.
	RedirectHosts []string
	// Avatars holds the users' pictures; nil: none, every JID gets its
	// placeholder.
	Avatars Avatars
}

// Server holds the handlers' shared state.
type Server struct {
	hub      presence.Hub
	dir      Directory
	log      *slog.Logger
	public   *url.URL
	ready    func() string
	role     func() string
	now      func() time.Time
	vis      *visibility.Rule // every read of presence asks it
	metrics  *metrics
	gatherer prometheus.Gatherer
	handler  http.Handler
	live     *live.Engine // GET /ws
	connects *clientLimiter
	creds    *credentials
	writes   *clientLimiter
	kopano   *kopano.Handler
	images   *imageCaches
	names    *nameCache
	openfire *openfire.Handler
	mux      *http.ServeMux
	base     string           // Options.BasePath
	assets   templates.Assets // the static files' URLs, under base
	// metricsElsewhere: Options.MetricsElsewhere.
	metricsElsewhere bool
	avatars          Avatars
	// bodyWait is bodyReadWait; tests shorten it.
	bodyWait time.Duration
}

// New builds a Server and its routes.
func New(opt Options) *Server {
	s := &Server{
		hub: opt.Hub, dir: opt.Directory, log: opt.Logger, public: opt.PublicURL,
		ready: opt.Ready, role: opt.Watcher, now: opt.Now, vis: visibility.New(opt.Hub, opt.Verify), bodyWait: bodyReadWait,
	}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	if s.ready == nil {
		s.ready = func() string { return "" }
	}
	if s.now == nil {
		s.now = time.Now
	}
	reg := opt.Registry
	if reg == nil {
		reg = prometheus.NewRegistry()
	}
	s.gatherer = opt.Gatherer
	if s.gatherer == nil {
		s.gatherer = reg
	}
	s.metrics = newMetrics(reg)
	s.live = newLive(opt, s, reg)
	s.connects = newConnectLimiter(opt, s.now)
	s.creds = newCredentials(opt, s.now)
	s.writes = newWriteLimiter(opt, s.now)
	imageBytes, answerBytes, nameBytes := cacheShares(opt.CacheBytes)
	s.images = newImageCaches(imageBytes, answerBytes, s.now)
	s.names = newNameCache(nameBytes)
	s.openfire = openfire.New(openfire.Options{Visibility: s.vis, Topic: s.names.topic, RedirectHosts: opt.RedirectHosts, Logger: s.log,
		ErrorImage: func(msg string) render.Image { return s.images.render.Error(msg, render.Options{}, render.PNG) }})
	s.kopano = newKopano(opt, s)
	s.avatars = opt.Avatars
	if s.avatars == nil {
		s.avatars = avatar.NewStore(avatar.DefaultCacheBytes)
	}
	s.base, s.metricsElsewhere = opt.BasePath, opt.MetricsElsewhere
	s.assets = assetsUnder(s.base)
	s.mux = http.NewServeMux()
	s.routes(s.mux)
	s.handler = s.chain(opt.TrustedProxies, s.fastRoutes(s.mux))
	return s
}

// chain wraps the routes h in the server's middleware. The base path is
// cut off before anything else looks at the path, and the client is known
// before any limit or metric counts it.
func (s *Server) chain(proxies forwarded.Proxies, h http.Handler) http.Handler {
	return s.recoverPanics(s.limit(underBase(s.base, fromProxies(proxies, s.public != nil, s.instrument(h)))))
}

// ServeHTTP implements http.Handler.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.handler.ServeHTTP(w, r) }

// Shutdown ends what the server owns beyond plain requests, which
// http.Server.Shutdown does not track: it closes every WebSocket with 1001
// (docs/API.md#operations) and waits for their goroutines, or for ctx. New WebSocket
// requests are refused from then on. Call it alongside http.Server.Shutdown.
func (s *Server) Shutdown(ctx context.Context) error { return s.live.Shutdown(ctx) }
