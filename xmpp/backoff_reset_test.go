package xmpp

import (
	"errors"
	"fmt"
	"testing"
	"time"
)

// The backoff starts over only after a session that synced and lasted: a
// short one, or one another session of the same resource replaced (two
// instances kicking each other), keeps growing the wait.
func TestBackoffResetsOnlyAfterStableSession(t *testing.T) {
	conflict := fmt.Errorf("xmpp: read: %w", &streamError{condition: "conflict", text: "Replaced by new connection"})
	for _, tc := range []struct {
		name   string
		synced bool
		lasted time.Duration
		err    error
		want   bool
	}{
		{"synced, lasted", true, time.Hour, errors.New("connection reset"), true},
		{"synced, short", true, 2 * time.Second, errors.New("connection reset"), false},
		{"never synced", false, time.Hour, errors.New("connection reset"), false},
		{"replaced by another instance", true, time.Hour, conflict, false},
		{"other stream error", true, time.Hour, &streamError{condition: "system-shutdown"}, true},
	} {
		if got := resetsBackoff(tc.synced, tc.lasted, tc.err); got != tc.want {
			t.Errorf("%s: resets %v, want %v", tc.name, got, tc.want)
		}
	}
}
