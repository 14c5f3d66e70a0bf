package web

import "badges/web/kopano"

// newKopano mounts the kopano-presence API on the server's directory,
// visibility rule and user tokens. Its writes share the write API's
// per-client buckets; its reads, which take a body, are limited at the
// same rate in buckets of their own.
func newKopano(opt Options, s *Server) *kopano.Handler {
	return kopano.New(kopano.Options{
		Directory: s.dir, Visibility: s.vis, TokenOwner: s.creds.tokenOwner,
		AllowRead: newWriteLimiter(opt, s.now).allow, AllowWrite: s.writes.allow,
		MaxUsers: maxBatch, Logger: s.log,
	})
}
