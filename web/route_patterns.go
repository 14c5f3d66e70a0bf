package web

import "net/http"

// router is what routes registers on: the server's ServeMux, or a
// patternList that only notes the patterns.
type router interface {
	Handle(pattern string, h http.Handler)
	HandleFunc(pattern string, h func(http.ResponseWriter, *http.Request))
}

var _ router = (*http.ServeMux)(nil)

// patternList is a router that keeps the patterns and drops the handlers.
type patternList []string

func (l *patternList) Handle(pattern string, _ http.Handler) { *l = append(*l, pattern) }

func (l *patternList) HandleFunc(pattern string, _ func(http.ResponseWriter, *http.Request)) {
	*l = append(*l, pattern)
}

// RoutePatterns lists the pattern of every route the server serves, in the
// order routes registers them, so that the API reference (docs/API.md and
// /openapi.json) can be checked against the routes themselves.
func (s *Server) RoutePatterns() []string {
	var l patternList
	s.routes(&l)
	return l
}
