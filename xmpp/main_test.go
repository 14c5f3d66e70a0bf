package xmpp

import (
	"fmt"
	"os"
	"runtime"
	"strings"
	"testing"
	"time"
)

// TestMain fails the run if goroutines outlive the tests: every goroutine
// of the watcher, the test clients and the test servers must end.
func TestMain(m *testing.M) {
	before := len(goroutines())
	code := m.Run()
	if code == 0 {
		deadline := time.Now().Add(5 * time.Second)
		left := goroutines()
		for len(left) > before && time.Now().Before(deadline) {
			time.Sleep(10 * time.Millisecond) // polling interval
			left = goroutines()
		}
		if len(left) > before {
			fmt.Fprintf(os.Stderr, "%d goroutines leaked:\n%s\n", len(left)-before, strings.Join(left, "\n\n"))
			code = 1
		}
	}
	os.Exit(code)
}

// goroutines lists the stacks of the goroutines that tests may start,
// leaving out this one and the signal handler the fuzzing engine starts.
func goroutines() []string {
	buf := make([]byte, 64<<10)
	for {
		n := runtime.Stack(buf, true)
		if n < len(buf) {
			buf = buf[:n]
			break
		}
		buf = make([]byte, 2*len(buf))
	}
	var out []string
	for _, g := range strings.Split(string(buf), "\n\n") {
		if strings.Contains(g, "badges/xmpp.TestMain") || strings.Contains(g, "os/signal.loop") {
			continue
		}
		out = append(out, g)
	}
	return out
}
