package store

import (
	"bufio"
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"
)

// helperDirEnv names the data directory of the child process started by
// TestKillLosesNothingAcknowledged; unset, TestHelperProcess does nothing.
const helperDirEnv = "BADGES_STORE_HELPER_DIR"

// helperSaves bounds the child's work in case the parent never kills it.
const helperSaves = 2000

func helperJID(i int) string { return fmt.Sprintf("user%04d@example.com", i) }

// TestHelperProcess is the child of TestKillLosesNothingAcknowledged: it saves
// records one after another and acknowledges each on stdout once Save returned.
func TestHelperProcess(t *testing.T) {
	dir := os.Getenv(helperDirEnv)
	if dir == "" {
		t.Skip("child process of TestKillLosesNothingAcknowledged only")
	}
	s, err := Open(dir)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	for i := range helperSaves {
		if err := s.Save(sample(helperJID(i), i)); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		// os.Stdout is unbuffered: the line is in the pipe before the next Save starts.
		fmt.Printf("saved %d\n", i)
	}
	os.Exit(0)
}

// TestKillLosesNothingAcknowledged checks docs/API.md#storage-and-scale: a kill -9 loses
// nothing that was acknowledged. The child is SIGKILLed right after an ack,
// most likely in the middle of the next Save.
func TestKillLosesNothingAcknowledged(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a child process")
	}
	ctx, cancel := context.WithTimeout(t.Context(), 60*time.Second)
	defer cancel()
	dir := t.TempDir()
	killAt := 20 + rand.IntN(80)

	cmd := exec.CommandContext(ctx, os.Args[0], "-test.run=^TestHelperProcess$", "-test.count=1")
	cmd.Env = append(os.Environ(), helperDirEnv+"="+dir)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}

	acked, killed := -1, false
	sc := bufio.NewScanner(out)
	for sc.Scan() {
		n, ok := strings.CutPrefix(sc.Text(), "saved ")
		if !ok {
			continue
		}
		i, err := strconv.Atoi(n)
		if err != nil || i != acked+1 {
			t.Fatalf("child printed %q after ack %d", sc.Text(), acked)
		}
		acked = i
		if i == killAt && !killed {
			if err := cmd.Process.Kill(); err != nil { // SIGKILL on Unix
				t.Fatal(err)
			}
			killed = true
		}
		// Keep reading after the kill: acks already in the pipe count too.
	}
	waitErr := cmd.Wait()
	if !killed {
		t.Fatalf("child ended before ack %d: %v, stderr: %s", killAt, waitErr, stderr.String())
	}
	t.Logf("killed after ack %d of %d saves; last ack read: %d", killAt, helperSaves, acked)

	s := openT(t, dir)
	recs, err := s.Records()
	if err != nil {
		t.Fatalf("Records after kill: %v", err)
	}
	if len(recs) < acked+1 {
		t.Fatalf("%d records after kill, want at least the %d acknowledged", len(recs), acked+1)
	}
	// Records are sorted by JID and helperJID sorts like its index.
	for i := 0; i <= acked; i++ {
		if want := sample(helperJID(i), i); !reflect.DeepEqual(recs[i], want) {
			t.Fatalf("acknowledged record %d = %+v, want %+v", i, recs[i], want)
		}
	}
}
