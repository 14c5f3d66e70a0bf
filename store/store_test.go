package store

import (
	"bufio"
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"go.etcd.io/bbolt"

	"badges/presence"
)

func openT(t *testing.T, dir string) *Store {
	t.Helper()
	s, err := Open(dir)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return s
}

// sample returns a record with every field set, in UTC and without a monotonic
// clock reading so that it compares equal after a JSON round trip.
func sample(jid string, i int) presence.Record {
	base := time.Date(2026, 11, 21, 10, 0, 0, 0, time.UTC).Add(time.Duration(i) * time.Second)
	return presence.Record{
		JID:         jid,
		Subscribed:  true,
		OptedOut:    i%2 == 0,
		HideMessage: i%3 == 0,
		LastSeen:    base,
		HTTP: &presence.HTTPState{
			Status:  presence.DND,
			Message: fmt.Sprintf("meeting %d", i),
			Changed: base,
			Expires: base.Add(2 * time.Minute),
		},
	}
}

func TestRoundTrip(t *testing.T) {
	s := openT(t, t.TempDir())
	want := []presence.Record{
		sample("alice@example.com", 1),
		{JID: "bob@example.com", Subscribed: true},
		sample("example.org", 2),
	}
	// Saved out of order: Records must come back sorted by JID.
	for _, i := range []int{2, 0, 1} {
		if err := s.Save(want[i]); err != nil {
			t.Fatalf("Save(%s): %v", want[i].JID, err)
		}
	}
	got, err := s.Records()
	if err != nil {
		t.Fatalf("Records: %v", err)
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("Records:\n got %+v\nwant %+v", got, want)
	}
}

func TestSaveReplaces(t *testing.T) {
	s := openT(t, t.TempDir())
	if err := s.Save(sample("alice@example.com", 1)); err != nil {
		t.Fatal(err)
	}
	later := presence.Record{JID: "alice@example.com", HideMessage: true}
	if err := s.Save(later); err != nil {
		t.Fatal(err)
	}
	got, err := s.Records()
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, []presence.Record{later}) {
		t.Fatalf("Records = %+v, want only %+v", got, later)
	}
}

func TestSaveWithoutJID(t *testing.T) {
	s := openT(t, t.TempDir())
	if err := s.Save(presence.Record{Subscribed: true}); err == nil {
		t.Fatal("Save of a record without JID succeeded")
	}
}

// TestWriteFailsAlone: in one batch, a write the store refuses fails on
// its own, and the others, saves and deletes, are stored in order.
func TestWriteFailsAlone(t *testing.T) {
	s := openT(t, t.TempDir())
	if err := s.Save(sample("bob@example.com", 1)); err != nil {
		t.Fatal(err)
	}
	errs := s.Write([]presence.Write{
		{Record: sample("alice@example.com", 1)},
		{Record: presence.Record{Subscribed: true}}, // no JID
		{Record: presence.Record{JID: "bob@example.com"}, Delete: true},
		{Record: sample("carol@example.com", 2)},
	})
	if len(errs) != 4 || errs[1] == nil || errs[0] != nil || errs[2] != nil || errs[3] != nil {
		t.Fatalf("Write = %v, want only the second to fail", errs)
	}
	got, err := s.Records()
	if want := []presence.Record{sample("alice@example.com", 1), sample("carol@example.com", 2)}; err != nil || !reflect.DeepEqual(got, want) {
		t.Errorf("Records = %+v, %v; want %+v", got, err, want)
	}
	if errs := s.Write([]presence.Write{{Record: sample("dave@example.com", 1)}}); errs != nil {
		t.Errorf("a batch that all went in = %v, want nil", errs)
	}
}

func TestDelete(t *testing.T) {
	s := openT(t, t.TempDir())
	for _, j := range []string{"alice@example.com", "bob@example.com"} {
		if err := s.Save(sample(j, 1)); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.Delete("alice@example.com"); err != nil {
		t.Fatalf("Delete: %v", err)
	}
	if err := s.Delete("nobody@example.com"); err != nil {
		t.Fatalf("Delete of an absent JID: %v", err)
	}
	got, err := s.Records()
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || got[0].JID != "bob@example.com" {
		t.Fatalf("Records after Delete = %+v, want only bob@example.com", got)
	}
}

func TestReopenKeepsData(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "nested", "data")
	s, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	want := sample("alice@example.com", 7)
	if err := s.Save(want); err != nil {
		t.Fatal(err)
	}
	if err := s.Save(sample("gone@example.com", 1)); err != nil {
		t.Fatal(err)
	}
	if err := s.Delete("gone@example.com"); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	fi, err := os.Stat(dir)
	if err != nil {
		t.Fatal(err)
	}
	if perm := fi.Mode().Perm(); perm != 0o700 {
		t.Errorf("data directory mode = %o, want 700", perm)
	}

	got, err := openT(t, dir).Records()
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, []presence.Record{want}) {
		t.Fatalf("after reopen Records = %+v, want %+v", got, want)
	}
}

func TestConcurrentSaves(t *testing.T) {
	s := openT(t, t.TempDir())
	const writers, each = 8, 20
	var wg sync.WaitGroup
	errs := make(chan error, writers*each)
	for w := range writers {
		wg.Go(func() {
			for i := range each {
				if err := s.Save(sample(fmt.Sprintf("u%d-%d@example.com", w, i), i)); err != nil {
					errs <- err
				}
				if _, err := s.Records(); err != nil {
					errs <- err
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	got, err := s.Records()
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != writers*each {
		t.Fatalf("got %d records, want %d", len(got), writers*each)
	}
}

func TestOpenLocked(t *testing.T) {
	dir := t.TempDir()
	openT(t, dir)
	start := time.Now()
	s, err := Open(dir)
	if err == nil {
		_ = s.Close()
		t.Fatal("second Open of the same directory succeeded")
	}
	if !errors.Is(err, ErrLocked) {
		t.Fatalf("second Open: %v, want an error wrapping ErrLocked", err)
	}
	if !strings.Contains(err.Error(), filepath.Join(dir, fileName)) {
		t.Errorf("error %q does not name the file", err)
	}
	if waited := time.Since(start); waited > 10*lockTimeout {
		t.Errorf("second Open took %s, want about %s", waited, lockTimeout)
	}
}

// rawUpdate changes the file behind the store's back, as a damaged disk or a
// newer program would.
func rawUpdate(t *testing.T, dir string, fn func(tx *bbolt.Tx) error) {
	t.Helper()
	db, err := bbolt.Open(filepath.Join(dir, fileName), 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := db.Update(fn); err != nil {
		t.Fatal(err)
	}
}

func TestNewerFormatRefused(t *testing.T) {
	dir := t.TempDir()
	s := openT(t, dir)
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	rawUpdate(t, dir, func(tx *bbolt.Tx) error {
		return tx.Bucket(metaBucket).Put(versionKey, []byte("99"))
	})
	if s, err := Open(dir); err == nil {
		_ = s.Close()
		t.Fatal("Open of a newer format succeeded")
	} else if !strings.Contains(err.Error(), "format version 99") {
		t.Fatalf("Open: %v, want it to name format version 99", err)
	}
}

func TestCorruptRecordsSkipped(t *testing.T) {
	dir := t.TempDir()
	s := openT(t, dir)
	good := sample("bob@example.com", 1)
	if err := s.Save(good); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	rawUpdate(t, dir, func(tx *bbolt.Tx) error {
		b := tx.Bucket(recordsBucket)
		if err := b.Put([]byte("alice@example.com"), []byte("{not json")); err != nil {
			return err
		}
		return b.Put([]byte("carol@example.com"), []byte(`{"jid":"mallory@example.com"}`))
	})

	var logs bytes.Buffer
	old := slog.Default()
	slog.SetDefault(slog.New(slog.NewTextHandler(&logs, nil)))
	t.Cleanup(func() { slog.SetDefault(old) })

	got, err := openT(t, dir).Records()
	if err != nil {
		t.Fatalf("Records: %v", err)
	}
	if !reflect.DeepEqual(got, []presence.Record{good}) {
		t.Fatalf("Records = %+v, want only %+v", got, good)
	}
	for _, key := range []string{"alice@example.com", "carol@example.com"} {
		if !strings.Contains(logs.String(), "key="+key) {
			t.Errorf("log does not name corrupt key %s:\n%s", key, logs.String())
		}
	}
}

// TestClosedStoreRefusesWrites: after Close, writes fail at once.
func TestClosedStoreRefusesWrites(t *testing.T) {
	s, err := Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if err := s.Save(sample("alice@example.com", 1)); !errors.Is(err, ErrClosed) {
		t.Errorf("Save after Close = %v, want ErrClosed", err)
	}
	if err := s.Delete("alice@example.com"); !errors.Is(err, ErrClosed) {
		t.Errorf("Delete after Close = %v, want ErrClosed", err)
	}
	if err := s.Close(); err != nil {
		t.Errorf("second Close = %v", err)
	}
}

// helperDirEnv names the data directory of the child process started by
// TestKillLosesNothingAcknowledged; unset, TestHelperProcess does nothing.
const helperDirEnv = "BADGES_STORE_HELPER_DIR"

// helperWritersEnv, set, makes the child of TestKillLosesNothingAcknowledged
// save with that many goroutines at once (TestConcurrentKillLosesNothing).
const helperWritersEnv = "BADGES_STORE_HELPER_WRITERS"

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
	if n, _ := strconv.Atoi(os.Getenv(helperWritersEnv)); n > 0 {
		concurrentSaves(s, n)
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

// startHelper runs TestHelperProcess as a child with env added to its
// environment: what it prints is read from out, what it logs kept in stderr.
func startHelper(ctx context.Context, t *testing.T, env ...string) (cmd *exec.Cmd, out io.Reader, stderr *strings.Builder) {
	t.Helper()
	cmd = exec.CommandContext(ctx, os.Args[0], "-test.run=^TestHelperProcess$", "-test.count=1")
	cmd.Env = append(os.Environ(), env...)
	stderr = new(strings.Builder)
	cmd.Stderr = stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	return cmd, out, stderr
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

	cmd, out, stderr := startHelper(ctx, t, helperDirEnv+"="+dir)

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

// concurrentSaves is the child of TestConcurrentKillLosesNothing: n
// goroutines push presence over a presence.Directory on s, the way badges
// serve does, each for JIDs of its own and each acknowledging every write on
// stdout once SetHTTP returned, until the parent kills the process. The
// directory commits the writes queued meanwhile together.
func concurrentSaves(s *Store, n int) {
	d, err := presence.NewDirectory(presence.NewMemHub(), s, presence.DirectoryOptions{ShowMessages: true})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	var wg sync.WaitGroup
	for g := range n {
		wg.Go(func() {
			for i := range helperSaves {
				if _, err := d.SetHTTP(writerJID(g, i), presence.Away, strconv.Itoa(i), time.Hour); err != nil {
					fmt.Fprintln(os.Stderr, err)
					os.Exit(1)
				}
				// One write(2) per line, shorter than PIPE_BUF: lines do not mix.
				fmt.Printf("saved %d %d\n", g, i)
			}
		})
	}
	wg.Wait()
	os.Exit(0)
}

func writerJID(g, i int) string { return fmt.Sprintf("w%02d-%04d@example.com", g, i) }

// TestConcurrentKillLosesNothing is the concurrent variant of
// TestKillLosesNothingAcknowledged: many writers push presence through a
// presence.Directory, which makes their writes share commits, the process
// is SIGKILLed at a random moment, and every write acknowledged before the
// kill is there after a restart.
func TestConcurrentKillLosesNothing(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a child process")
	}
	const writers = 32
	ctx, cancel := context.WithTimeout(t.Context(), 60*time.Second)
	defer cancel()
	dir := t.TempDir()
	killAt := 50 + rand.IntN(1000) // acknowledgements, over all writers

	cmd, out, stderr := startHelper(ctx, t, helperDirEnv+"="+dir, helperWritersEnv+"="+strconv.Itoa(writers))

	acked := make(map[string]int) // JID -> index of its record
	killed := false
	sc := bufio.NewScanner(out)
	for sc.Scan() {
		var g, i int
		if _, err := fmt.Sscanf(sc.Text(), "saved %d %d", &g, &i); err != nil {
			continue
		}
		acked[writerJID(g, i)] = i
		if len(acked) == killAt && !killed {
			if err := cmd.Process.Kill(); err != nil {
				t.Fatal(err)
			}
			killed = true
		}
	}
	waitErr := cmd.Wait()
	if !killed {
		t.Fatalf("child ended before %d acks: %v, stderr: %s", killAt, waitErr, stderr.String())
	}
	t.Logf("killed after %d acks; %d read in all", killAt, len(acked))

	s := openT(t, dir)
	recs, err := s.Records()
	if err != nil {
		t.Fatalf("Records after kill: %v", err)
	}
	got := make(map[string]presence.Record, len(recs))
	for _, r := range recs {
		got[r.JID] = r
	}
	for jid, i := range acked {
		if r, ok := got[jid]; !ok || r.HTTP == nil || r.HTTP.Status != presence.Away || r.HTTP.Message != strconv.Itoa(i) {
			t.Errorf("acknowledged %s: stored %+v (%v), want the push of message %d", jid, r, ok, i)
		}
	}
}

// TestFreeListEitherWay: the store keeps no free list in the file, and a
// file that has one (written by bbolt's defaults, as earlier versions did)
// opens with every record; pages freed by overwrites are reused across
// reopenings, so rewriting the same records does not grow the file.
func TestFreeListEitherWay(t *testing.T) {
	dir := t.TempDir()
	s := openT(t, dir)
	for i := range 50 {
		if err := s.Save(sample(fmt.Sprintf("u%02d@example.com", i), i)); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	// Written with a free list.
	extra := sample("extra@example.com", 1)
	val, err := json.Marshal(extra)
	if err != nil {
		t.Fatal(err)
	}
	rawUpdate(t, dir, func(tx *bbolt.Tx) error { return tx.Bucket(recordsBucket).Put([]byte(extra.JID), val) })

	var size int64
	for round := range 6 {
		s, err := Open(dir)
		if err != nil {
			t.Fatalf("round %d: %v", round, err)
		}
		recs, err := s.Records()
		if err != nil || len(recs) != 51 {
			t.Fatalf("round %d: %d records, %v", round, len(recs), err)
		}
		for i := range 50 {
			if err := s.Save(sample(fmt.Sprintf("u%02d@example.com", i), round*50+i)); err != nil {
				t.Fatal(err)
			}
		}
		if err := s.Close(); err != nil {
			t.Fatal(err)
		}
		fi, err := os.Stat(filepath.Join(dir, fileName))
		if err != nil {
			t.Fatal(err)
		}
		if round == 1 {
			size = fi.Size()
		} else if round > 1 && fi.Size() > size {
			t.Errorf("round %d: file grew from %d to %d bytes rewriting the same records", round, size, fi.Size())
		}
		if pg := freelistPage(t, filepath.Join(dir, fileName)); pg != noFreelist {
			t.Errorf("round %d: the file keeps a free list at page %d", round, pg)
		}
	}
}

// noFreelist is what bbolt's meta page holds for the free list's page when
// the file keeps none.
const noFreelist = ^uint64(0)

// freelistPage reads the free list's page from the current meta page of the
// bbolt file at path: of its two meta pages (0 and 1), the one with the
// higher transaction id. A meta page is a 16-byte page header, then magic,
// version, page size and flags (4 bytes each), the root bucket (16 bytes),
// the free list's page, the high-water page and the transaction id (8
// bytes each), in the machine's byte order (little-endian here).
func freelistPage(t *testing.T, path string) uint64 {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	le := func(off int) uint64 { return binary.LittleEndian.Uint64(b[off:]) }
	pageSize := int(binary.LittleEndian.Uint32(b[16+8:]))
	var best, bestTx uint64
	for i := range 2 {
		m := i*pageSize + 16
		if tx := le(m + 48); i == 0 || tx > bestTx {
			best, bestTx = le(m+32), tx
		}
	}
	return best
}
