package testenv

import "os"

// workDir makes a temporary directory for a server the test starts,
// removed at the test's end, and picks a free loopback port for it.
func workDir(t T, prefix string) (dir string, port int) {
	t.Helper()
	dir, err := os.MkdirTemp("", prefix)
	if err != nil {
		t.Fatalf("testenv: %v", err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	ports, err := FreePorts(1)
	if err != nil {
		t.Fatalf("testenv: %v", err)
	}
	return dir, ports[0]
}
