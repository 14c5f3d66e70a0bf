package xmpp

import (
	"fmt"
	"slices"
	"testing"

	"badges/avatar"
)

// TestPictureQueue: one picture at a time goes to the worker; those that
// come meanwhile wait in order, a later one of an owner replacing the
// earlier, and each outcome hands the worker the next; when the session
// ends, those not decoded are given up.
func TestPictureQueue(t *testing.T) {
	s := &session{pictures: newPictureQueue()}
	var done, abandoned []string
	pic := func(owner, data string) picture {
		return picture{owner: owner, data: []byte(data), done: func([]byte, string, error) error {
			done = append(done, owner+":"+data)
			return nil
		}, abandon: func() { abandoned = append(abandoned, owner+":"+data) }}
	}
	for _, p := range []picture{pic("a", "1"), pic("b", "1"), pic("a", "2"), pic("c", "1"), pic("b", "2")} {
		if err := s.decodePicture(p); err != nil {
			t.Fatal(err)
		}
	}
	var worked []string
	for {
		select {
		case p := <-s.pictures.work:
			worked = append(worked, p.owner+":"+string(p.data))
			if err := s.pictureDecoded(decoded{picture: p}); err != nil {
				t.Fatal(err)
			}
			continue
		default:
		}
		break
	}
	want := []string{"a:1", "b:2", "a:2", "c:1"}
	if !slices.Equal(worked, want) || !slices.Equal(done, want) {
		t.Errorf("worked on %v, answered %v; want %v", worked, done, want)
	}
	if s.pictures.busy || len(s.pictures.waiting) != 0 {
		t.Errorf("left busy %v with %d waiting", s.pictures.busy, len(s.pictures.waiting))
	}

	// The session ends with one picture at the worker and two waiting:
	// all three are given up.
	for _, p := range []picture{pic("a", "3"), pic("b", "3"), pic("c", "3")} {
		if err := s.decodePicture(p); err != nil {
			t.Fatal(err)
		}
	}
	s.abandonPictures()
	if want := []string{"a:3", "b:3", "c:3"}; !slices.Equal(abandoned, want) {
		t.Errorf("abandoned %v, want %v", abandoned, want)
	}
}

// TestPictureQueueBounded: past maxWaitingBytes waiting, a picture is
// decoded at once on the session's goroutine instead of waiting; one that
// replaces a waiting picture of its owner still waits.
func TestPictureQueueBounded(t *testing.T) {
	s := &session{pictures: newPictureQueue()}
	var decodedNow []string
	pic := func(owner string, n int) picture {
		return picture{owner: owner, data: make([]byte, n), done: func(_ []byte, _ string, err error) error {
			decodedNow = append(decodedNow, owner)
			return nil
		}, abandon: func() {}}
	}
	mustDecode := func(p picture) {
		t.Helper()
		if err := s.decodePicture(p); err != nil {
			t.Fatal(err)
		}
	}
	mustDecode(pic("busy", 10)) // to the worker
	for i := range maxWaitingBytes / avatar.MaxBytes {
		mustDecode(pic(fmt.Sprint("w", i), avatar.MaxBytes))
	}
	if len(decodedNow) != 0 || s.pictures.bytes != maxWaitingBytes {
		t.Fatalf("%d decoded at once, %d bytes waiting; want none and %d", len(decodedNow), s.pictures.bytes, maxWaitingBytes)
	}
	mustDecode(pic("w0", avatar.MaxBytes)) // replaces its owner's
	mustDecode(pic("over", 1))
	if !slices.Equal(decodedNow, []string{"over"}) || s.pictures.bytes != maxWaitingBytes {
		t.Errorf("decoded at once: %v, %d bytes waiting; want only over@, %d", decodedNow, s.pictures.bytes, maxWaitingBytes)
	}
}
