package xmpp

import (
	"slices"
	"testing"
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
	s.decodePicture(pic("a", "1"))
	s.decodePicture(pic("b", "1"))
	s.decodePicture(pic("a", "2"))
	s.decodePicture(pic("c", "1"))
	s.decodePicture(pic("b", "2"))
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
	s.decodePicture(pic("a", "3"))
	s.decodePicture(pic("b", "3"))
	s.decodePicture(pic("c", "3"))
	s.abandonPictures()
	if want := []string{"a:3", "b:3", "c:3"}; !slices.Equal(abandoned, want) {
		t.Errorf("abandoned %v, want %v", abandoned, want)
	}
}
