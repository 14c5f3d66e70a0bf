package web

import (
	"net/http"

	"badges/web/respond"
)

// writeErr answers err as a JSON API error with its mapped status. Server
// errors are logged and hidden from the client.
func (s *Server) writeErr(w http.ResponseWriter, r *http.Request, err error) {
	respond.Err(w, r, s.log, err)
}
