package live

import (
	"runtime"
	"sync"

	"badges/presence"
)

// wsFlusher writes hub values to WebSockets. A connection with pending
// values queues itself once (wsConn.wake); a few flusher goroutines, at
// most one per processor, take connections from the queue and write
// without ever blocking. A socket that does not take a write at once gets
// a writer goroutine of its own until it has caught up (wsConn.catchUp),
// so a slow client never holds up the others.
//
// One change to thousands of subscribers then costs a system call per
// socket and no goroutine switch, and an idle connection needs no writer
// goroutine at all. Flushers start when the queue fills and end when it is
// empty; wsHub waits for them at Shutdown.
type wsFlusher struct {
	max int // flushers at most: one per processor keeps them all busy

	mu      sync.Mutex
	queue   []*wsConn // FIFO from head; each connection at most once
	head    int
	running int
	bufs    []*flushBuf // kept for the next flushers, at most max
	wg      sync.WaitGroup
}

// flushChunk is how many connections a flusher takes from the queue at a
// time, and how long the queue must be per running flusher before another
// starts: enough to share one lock round trip, few enough that the other
// flushers find work.
const flushChunk = 32

// flushBuf is a flusher's scratch: the values taken and the frames built.
type flushBuf struct {
	entries []*presence.Entry
	frames  []byte
}

func newWSFlusher() *wsFlusher {
	return &wsFlusher{max: runtime.GOMAXPROCS(0)}
}

// push queues c, starting a flusher when the queue is longer than the
// running ones can take at once. It never blocks: the hub calls it while
// publishing.
func (f *wsFlusher) push(c *wsConn) {
	f.mu.Lock()
	f.queue = append(f.queue, c)
	start := f.running < f.max && len(f.queue)-f.head > f.running*flushChunk
	var b *flushBuf
	if start {
		f.running++
		f.wg.Add(1)
		if n := len(f.bufs); n > 0 {
			b, f.bufs = f.bufs[n-1], f.bufs[:n-1]
		} else {
			b = &flushBuf{}
		}
	}
	f.mu.Unlock()
	if start {
		go f.run(b)
	}
}

// run flushes queued connections until the queue is empty.
func (f *wsFlusher) run(b *flushBuf) {
	defer f.wg.Done()
	var chunk [flushChunk]*wsConn
	for {
		n := f.pop(chunk[:], b)
		if n == 0 {
			return
		}
		for _, c := range chunk[:n] {
			c.flush(b)
		}
		clear(chunk[:n])
	}
}

// pop moves up to len(dst) connections from the head of the queue to dst.
// On an empty queue the flusher stops, in the same critical section: a
// push that comes after sees one flusher fewer and starts another.
func (f *wsFlusher) pop(dst []*wsConn, b *flushBuf) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.head == len(f.queue) {
		f.running--
		f.bufs = append(f.bufs, b)
		return 0
	}
	n := copy(dst, f.queue[f.head:])
	clear(f.queue[f.head : f.head+n])
	f.head += n
	// Move the rest to the front once half the slice is spent, so that a
	// queue that never quite drains does not grow.
	if f.head > 0 && f.head >= len(f.queue)/2 {
		m := copy(f.queue, f.queue[f.head:])
		clear(f.queue[m:])
		f.queue, f.head = f.queue[:m], 0
	}
	return n
}

// wait blocks until every flusher has ended.
func (f *wsFlusher) wait() { f.wg.Wait() }

// wake is the subscriber's wake-up: queue the connection unless it is
// queued or being written already; whoever has it then finds the value.
func (c *wsConn) wake() {
	if c.queued.CompareAndSwap(false, true) {
		c.h.flusher.push(c)
	}
}

// idle clears queued and reports whether the connection may stop: false
// when values came meanwhile and the caller has queued it again for itself.
// A wake-up between the last Take and clearing queued found it set and left
// the value to the caller.
func (c *wsConn) idle() bool {
	c.queued.Store(false)
	return !c.sub.Pending() || !c.queued.CompareAndSwap(false, true)
}

// flush writes c's pending values as far as the socket takes them without
// blocking, then hands the rest to catchUp. It runs on a flusher.
func (c *wsConn) flush(b *flushBuf) {
	for {
		b.entries = c.sub.Take(b.entries[:0])
		if len(b.entries) > 0 {
			b.frames = appendEntries(b.frames[:0], b.entries)
			clear(b.entries) // hold no values past this flush
			if !c.wire.mu.TryLock() {
				// The library or a writer of c's own is writing: the
				// frames wait for it, in order.
				c.handOff(b.frames, false)
				return
			}
			if c.wire.closed {
				c.wire.mu.Unlock()
				return // queued stays set: nothing follows
			}
			n, err := c.wire.tryWriteLocked(b.frames)
			if err != nil {
				c.wire.mu.Unlock()
				c.fail(err)
				return
			}
			if n < len(b.frames) {
				c.handOff(b.frames[n:], true) // mid-frame: keeps mu
				return
			}
			c.wire.mu.Unlock()
		}
		if c.idle() {
			return
		}
	}
}

// handOff gives rest to a writer goroutine of c's own. locked: the caller
// holds wire.mu because rest may start mid-frame, and the writer inherits
// it.
func (c *wsConn) handOff(rest []byte, locked bool) {
	rest = append([]byte(nil), rest...)
	if !c.spawn(func() { c.catchUp(rest, locked) }) && locked {
		c.wire.mu.Unlock()
	}
}

// catchUp writes with blocking writes, each within writeWait, until
// nothing is pending; then c goes back to the flushers.
func (c *wsConn) catchUp(frames []byte, locked bool) {
	c.behind.Store(true)
	defer c.behind.Store(false)
	var entries []*presence.Entry
	for {
		if !locked {
			c.wire.mu.Lock()
			if c.wire.closed {
				c.wire.mu.Unlock()
				return
			}
		}
		err := c.wire.writeLocked(frames, c.timing.writeWait)
		c.wire.mu.Unlock()
		locked = false
		if err != nil {
			c.fail(err)
			return
		}
		for {
			entries = c.sub.Take(entries[:0])
			if len(entries) > 0 {
				break
			}
			if c.idle() {
				return
			}
		}
		frames = appendEntries(frames[:0], entries)
		clear(entries)
	}
}

// appendEntries frames each value's shared bytes, in order.
func appendEntries(b []byte, entries []*presence.Entry) []byte {
	for _, e := range entries {
		b = appendFrame(b, e.Frame)
	}
	return b
}
