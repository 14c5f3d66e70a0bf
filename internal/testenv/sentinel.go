package testenv

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"time"
)

// Sentinel is a running Redis Sentinel (redis-server --sentinel, of the
// Debian package redis-server) on loopback that watches one master under a
// name, with a quorum of one and short timings: a master that stops
// answering is given up after a second, and a replica promoted.
type Sentinel struct {
	// Addr is host:port; URL is the -redis URL that follows the master
	// through this Sentinel.
	Addr, URL string
}

// StartSentinel starts a Sentinel watching master under name, and kills it
// at the test's end.
func StartSentinel(t T, master *Redis, name string) *Sentinel {
	t.Helper()
	Require(t, "redis-server", "redis-server")
	dir, port := workDir(t, "badges-sentinel-")
	logPath := filepath.Join(dir, "sentinel.log")
	// Sentinel rewrites its file as it learns the replicas: it must be its own.
	conf := fmt.Sprintf("port %d\nbind 127.0.0.1\nprotected-mode no\ndir %s\nlogfile %s\n"+
		"sentinel monitor %s 127.0.0.1 %d 1\n"+
		"sentinel down-after-milliseconds %s 1000\n"+
		"sentinel failover-timeout %s 5000\n", port, dir, logPath, name, master.port, name, name)
	path := filepath.Join(dir, "sentinel.conf")
	if err := os.WriteFile(path, []byte(conf), 0o600); err != nil {
		t.Fatalf("testenv: %v", err)
	}
	cmd := exec.Command("redis-server", path, "--sentinel")
	cmd.Dir = dir
	if err := cmd.Start(); err != nil {
		t.Fatalf("testenv: start redis-server --sentinel: %v", err)
	}
	exited := make(chan struct{})
	go func() { // ends when the process does; the cleanup waits for it
		cmd.Wait()
		close(exited)
	}()
	t.Cleanup(func() {
		cmd.Process.Kill()
		<-exited
	})
	s := &Sentinel{Addr: "127.0.0.1:" + strconv.Itoa(port)}
	s.URL = "redis://" + s.Addr + "/0?master_name=" + name
	if err := waitPort(s.Addr, time.Now().Add(startTimeout), exited); err != nil {
		t.Fatalf("testenv: sentinel did not come up: %v\n%s", err, tail(logPath, 40))
	}
	return s
}
