package web

import "badges/web/respond"

// The answer rules live in package respond (one place for the web server
// and the compatibility APIs); these names keep the handlers short.
var (
	writeCached      = respond.Cached
	writeCachedBody  = respond.CachedBody
	writeError       = respond.Error
	writeJSON        = respond.JSON
	writeImage       = respond.Image
	writeRateLimited = respond.RateLimited
	publicCORS       = respond.PublicCORS
	statusOf         = respond.StatusOf
	errBadRequest    = respond.ErrBadRequest
	etagMatches      = respond.ETagMatches
	readBody         = respond.ReadBody
	withHiddenCause  = respond.WithHiddenCause
	jsonProblem      = respond.JSONProblem
)

// Content types served.
const (
	typeJSON = respond.TypeJSON
	typePNG  = respond.TypePNG
	typeHTML = respond.TypeHTML
)
