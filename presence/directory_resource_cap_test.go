package presence

import (
	"fmt"
	"testing"
	"time"
)

// TestDirectoryResourceCap: a JID keeps at most MaxResources resources; a
// new one beyond that displaces the lowest priority, oldest of them, never
// the one that speaks for the account.
func TestDirectoryResourceCap(t *testing.T) {
	f := newFixture(t, newMemStore(), DirectoryOptions{})
	const jid = "alice@example.com"
	f.subscribe(jid, Resource{})
	f.dir.SetResource(jid, "main", Resource{Status: DND, Priority: 10, Changed: f.clock.Add(time.Second)})
	for i := 1; i < MaxResources; i++ {
		f.dir.SetResource(jid, fmt.Sprintf("r%d", i), Resource{Status: Away, Changed: f.clock.Add(time.Second)})
	}
	for i := 0; i < 3*MaxResources; i++ {
		f.dir.SetResource(jid, fmt.Sprintf("flood%d", i), Resource{Status: Away, Changed: f.clock.Add(time.Second)})
	}
	f.dir.mu.Lock()
	n := len(f.dir.jids[jid].resources)
	_, main := f.dir.jids[jid].resources["main"]
	_, oldest := f.dir.jids[jid].resources["r1"]
	_, newest := f.dir.jids[jid].resources[fmt.Sprintf("flood%d", 3*MaxResources-1)]
	f.dir.mu.Unlock()
	if n != MaxResources {
		t.Errorf("%d resources kept, want %d", n, MaxResources)
	}
	if !main || oldest || !newest {
		t.Errorf("kept: main %v (want true), oldest %v (want false), newest %v (want true)", main, oldest, newest)
	}
	if p := f.dir.Get(jid); p.Status != DND {
		t.Errorf("status %s, want the highest priority resource's dnd", p.Status)
	}
}
