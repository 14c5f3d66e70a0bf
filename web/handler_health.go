package web

import (
	"net/http"

	"badges/web/respond"
)

// handleHealthz answers 200 while the process runs.
func (s *Server) handleHealthz(w http.ResponseWriter, r *http.Request) {
	respond.JSON(w, http.StatusOK, map[string]string{"status": "ok"})
}

// handleReadyz answers 200 when the store is open and the watcher (if any)
// is connected, else 503 with the reason.
func (s *Server) handleReadyz(w http.ResponseWriter, r *http.Request) {
	body, code := map[string]string{"status": "ready"}, http.StatusOK
	if reason := s.ready(); reason != "" {
		body, code = map[string]string{"status": "unavailable", "reason": reason}, http.StatusServiceUnavailable
	}
	if s.role != nil {
		body["watcher"] = s.role() // docs/API.md#storage-and-scale
	}
	respond.JSON(w, code, body)
}
