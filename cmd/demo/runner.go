package main

import (
	"fmt"
	"log"
	"sync"
)

// runner stands in for a test's T so that the demo can start the same
// throwaway servers as the integration tests. A fatal error ends the demo
// after the cleanups ran.
type runner struct {
	mu       sync.Mutex
	cleanups []func()
	failed   bool
}

// fatal unwinds runner.main.
type fatal struct{ msg string }

func (r *runner) Helper()                         {}
func (r *runner) Logf(format string, args ...any) { log.Printf(format, args...) }
func (r *runner) Errorf(format string, args ...any) {
	r.mu.Lock()
	r.failed = true
	r.mu.Unlock()
	log.Printf(format, args...)
}
func (r *runner) Fatal(args ...any)                 { panic(fatal{fmt.Sprint(args...)}) }
func (r *runner) Fatalf(format string, args ...any) { panic(fatal{fmt.Sprintf(format, args...)}) }
func (r *runner) Skip(args ...any)                  { panic(fatal{fmt.Sprint(args...)}) }

func (r *runner) Failed() bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.failed
}

// Cleanup registers f to run when the demo ends, last registered first.
func (r *runner) Cleanup(f func()) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.cleanups = append(r.cleanups, f)
}

// run calls body, then every cleanup, and returns body's fatal message.
func (r *runner) run(body func() error) (err error) {
	defer func() {
		if v := recover(); v != nil {
			f, ok := v.(fatal)
			if !ok {
				panic(v)
			}
			r.failed = true
			err = fmt.Errorf("%s", f.msg)
		}
		r.mu.Lock()
		cs := r.cleanups
		r.cleanups = nil
		r.mu.Unlock()
		for i := len(cs) - 1; i >= 0; i-- {
			cs[i]()
		}
	}()
	return body()
}
