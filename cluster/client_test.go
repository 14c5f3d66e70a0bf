package cluster

import (
	"strings"
	"testing"
)

// A bad -redis URL is refused without quoting its password.
func TestConnectBadURLHidesPassword(t *testing.T) {
	for _, raw := range []string{
		"redis://user:s3cret@[::1",                                     // url.Parse fails
		"redis://user:s3cret@host:6379/notadb",                         // redis.ParseURL fails
		"redis://user:s3cret@host:6379/0?master_name=m&dial_timeout=x", // redis.ParseFailoverURL fails
	} {
		_, err := Connect(raw)
		if err == nil {
			t.Errorf("Connect(%q): no error", raw)
			continue
		}
		if strings.Contains(err.Error(), "s3cret") {
			t.Errorf("Connect(%q): error shows the password: %v", raw, err)
		}
	}
}
