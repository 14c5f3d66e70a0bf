package testenv

import (
	"os/exec"
	"path/filepath"
	"strconv"
	"sync"
	"syscall"
	"time"
)

// Redis is a running throwaway redis-server (Debian package redis-server) on
// loopback, with its data in a temporary directory. Every write is in the
// append-only file before Redis answers (appendfsync always), so that a
// kill -9 of Redis loses nothing it acknowledged, as in production setups
// that promise durability.
type Redis struct {
	// Addr is host:port; URL is redis://Addr/0.
	Addr, URL string

	t       T
	dir     string
	port    int
	logPath string
	extra   []string // more arguments of redis-server

	mu     sync.Mutex
	cmd    *exec.Cmd
	exited chan struct{}
}

// StartRedis starts a Redis for the test and kills it at the test's end.
func StartRedis(t T) *Redis { return startRedis(t) }

// StartRedisReplica starts a Redis that replicates master, as StartRedis
// does.
func StartRedisReplica(t T, master *Redis) *Redis {
	return startRedis(t, "--replicaof", "127.0.0.1", strconv.Itoa(master.port))
}

func startRedis(t T, extra ...string) *Redis {
	t.Helper()
	Require(t, "redis-server", "redis-server")
	dir, port := workDir(t, "badges-redis-")
	r := &Redis{t: t, dir: dir, port: port, logPath: filepath.Join(dir, "redis.log"), extra: extra}
	r.Addr = "127.0.0.1:" + strconv.Itoa(r.port)
	r.URL = "redis://" + r.Addr + "/0"
	t.Cleanup(r.stop)
	r.Start()
	return r
}

// Start starts the server (again, after Stop or Kill) on the same port and
// data directory, and returns once it accepts connections.
func (r *Redis) Start() {
	r.t.Helper()
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.cmd != nil {
		r.t.Fatal("testenv: redis is already running")
	}
	cmd := exec.Command("redis-server",
		"--bind", "127.0.0.1", "--port", strconv.Itoa(r.port),
		"--dir", r.dir, "--logfile", r.logPath, "--daemonize", "no",
		"--appendonly", "yes", "--appendfsync", "always", "--save", "",
		"--protected-mode", "no")
	cmd.Args = append(cmd.Args, r.extra...)
	cmd.Dir = r.dir
	if err := cmd.Start(); err != nil {
		r.t.Fatalf("testenv: start redis-server: %v", err)
	}
	exited := make(chan struct{})
	go func() { // ends when the process does; stop waits for it
		cmd.Wait()
		close(exited)
	}()
	r.cmd, r.exited = cmd, exited
	if err := waitPort(r.Addr, time.Now().Add(startTimeout), exited); err != nil {
		r.t.Fatalf("testenv: redis did not come up: %v\n%s", err, tail(r.logPath, 40))
	}
}

// Stop shuts the server down politely (SIGTERM), as an operator's restart
// does; clients see their connections close.
func (r *Redis) Stop() { r.signal(syscall.SIGTERM) }

// Kill stops the server at once (SIGKILL), as a crash would.
func (r *Redis) Kill() { r.signal(syscall.SIGKILL) }

func (r *Redis) signal(sig syscall.Signal) {
	r.t.Helper()
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.cmd == nil {
		return
	}
	if err := r.cmd.Process.Signal(sig); err != nil {
		r.t.Errorf("testenv: signal redis: %v", err)
	}
	select {
	case <-r.exited:
	case <-time.After(startTimeout):
		r.cmd.Process.Kill()
		<-r.exited
	}
	r.cmd = nil
}

// stop kills the server at the test's end: its data is thrown away.
func (r *Redis) stop() {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.cmd == nil {
		return
	}
	r.cmd.Process.Kill()
	<-r.exited
	r.cmd = nil
}

// PID is the running server's process id, or 0.
func (r *Redis) PID() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.cmd == nil {
		return 0
	}
	return r.cmd.Process.Pid
}
