package testenv

import (
	"os"
	"strings"
)

// CleanEnv is the process environment without BADGES_ settings, for
// running the badges binary so that the machine's own configuration cannot
// leak into a test or a benchmark.
func CleanEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "BADGES_") {
			env = append(env, kv)
		}
	}
	return env
}
