package testenv

import (
	"fmt"
	"log"
	"sync"
)

// Program is the T of programs that start testenv's servers outside
// go test: the demo and the benchmark runner. Fatal, Fatalf and Skip
// unwind to Do, which returns them as an error; Close runs the cleanups.
type Program struct {
	mu       sync.Mutex
	cleanups []func()
	failed   bool
}

var _ T = (*Program)(nil)

// fatal carries a Fatal's message from where it was called up to Do.
type fatal struct{ msg string }

// Helper implements T.
func (p *Program) Helper() {}

// Logf implements T.
func (p *Program) Logf(format string, args ...any) { log.Printf(format, args...) }

// Errorf implements T: the program goes on, marked as failed.
func (p *Program) Errorf(format string, args ...any) {
	p.mu.Lock()
	p.failed = true
	p.mu.Unlock()
	log.Printf(format, args...)
}

// Fatal implements T.
func (p *Program) Fatal(args ...any) { panic(fatal{fmt.Sprint(args...)}) }

// Fatalf implements T.
func (p *Program) Fatalf(format string, args ...any) { panic(fatal{fmt.Sprintf(format, args...)}) }

// Skip implements T: a program cannot do without the server, so it fails.
func (p *Program) Skip(args ...any) { panic(fatal{fmt.Sprint(args...)}) }

// Failed implements T.
func (p *Program) Failed() bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.failed
}

// Cleanup implements T: f runs at Close, last registered first.
func (p *Program) Cleanup(f func()) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.cleanups = append(p.cleanups, f)
}

// Do calls body and returns its error, or the message of a Fatal, Fatalf
// or Skip that body called, from its own goroutine, through testenv.
func (p *Program) Do(body func() error) (err error) {
	defer func() {
		if v := recover(); v != nil {
			f, ok := v.(fatal)
			if !ok {
				panic(v)
			}
			p.mu.Lock()
			p.failed = true
			p.mu.Unlock()
			err = fmt.Errorf("%s", f.msg)
		}
	}()
	return body()
}

// Close runs every cleanup, last registered first.
func (p *Program) Close() {
	p.mu.Lock()
	cs := p.cleanups
	p.cleanups = nil
	p.mu.Unlock()
	for i := len(cs) - 1; i >= 0; i-- {
		cs[i]()
	}
}
