package web

import "net/http"

// Every read of presence goes through Server.vis (package visibility).

// sigOf returns the sig query value that vouches for the request's topic.
func sigOf(r *http.Request) string { return r.URL.Query().Get("sig") }
