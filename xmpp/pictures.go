package xmpp

import "badges/avatar"

// Pictures are decoded off the session's goroutine (docs/design/watcher.md).
// A picture may declare up to avatar.MaxPixels, and decoding and scaling one
// that large takes about half a second, during which the session would read
// no stanza: a contact publishing such pictures one after another would
// hold up every other contact's presence. One worker per session decodes
// them one at a time, so that memory holds one decoded picture at most;
// pictures that come meanwhile wait, one per owner, the latest replacing the
// one before, up to maxWaitingBytes of them. Past that a picture is decoded
// on the session's goroutine, as if there were no worker: a flood of
// pictures slows the session down rather than growing its memory.

// normalize decodes a picture for the worker: avatar.Normalize, which a
// test replaces with one it holds up.
var normalize = avatar.Normalize

// maxWaitingBytes bounds the pictures waiting for the worker, in bytes as
// published: 16 of the largest accepted.
const maxWaitingBytes = 16 * avatar.MaxBytes

// picture is a picture to decode for owner (a contact and a source, as
// Avatars names them), and what to do with the outcome; done runs on the
// session's goroutine. abandon runs there instead when the session ends
// first, so that the next session asks for the picture again.
type picture struct {
	owner   string
	data    []byte
	done    func(png []byte, id string, err error) error
	abandon func()
}

// decoded is a picture and the outcome of avatar.Normalize on it.
type decoded struct {
	picture
	png []byte
	id  string
	err error
}

// pictureQueue is what the session keeps of its pictures. At most one is
// with the worker (busy), from the moment it is sent on work until its
// outcome is received from out, so that neither send ever blocks.
type pictureQueue struct {
	waiting []picture // at most one per owner, oldest first
	bytes   int       // the data of those waiting
	busy    bool
	current picture      // the one with the worker, while busy
	work    chan picture // capacity 1
	out     chan decoded // capacity 1
}

func newPictureQueue() pictureQueue {
	return pictureQueue{work: make(chan picture, 1), out: make(chan decoded, 1)}
}

// decodeWorker is the session's picture worker: started by run, it ends
// when run does (done closes). Each picture it decodes it also shares with
// the other replicas, I/O that the session's goroutine must not wait for;
// sharing one that is no longer current is harmless, pictures being kept
// by their id.
func (q *pictureQueue) decodeWorker(done <-chan struct{}, avatars Avatars) {
	for {
		select {
		case p := <-q.work:
			png, id, err := normalize(p.data)
			if err == nil {
				avatars.Share(id, png)
			}
			select {
			case q.out <- decoded{picture: p, png: png, id: id, err: err}:
			case <-done:
				return
			}
		case <-done:
			return
		}
	}
}

// decodePicture hands p to the worker, or queues it behind the one it
// holds, or, when too many bytes wait already, decodes it at once.
func (s *session) decodePicture(p picture) error {
	q := &s.pictures
	if !q.busy {
		q.busy, q.current = true, p
		q.work <- p
		return nil
	}
	for i, w := range q.waiting {
		if w.owner == p.owner {
			q.bytes += len(p.data) - len(w.data)
			q.waiting[i] = p
			return nil
		}
	}
	if q.bytes+len(p.data) > maxWaitingBytes {
		png, id, err := normalize(p.data)
		return p.done(png, id, err)
	}
	q.bytes += len(p.data)
	q.waiting = append(q.waiting, p)
	return nil
}

// pictureDecoded takes the worker's outcome and hands it the next picture.
func (s *session) pictureDecoded(d decoded) error {
	q := &s.pictures
	if len(q.waiting) > 0 {
		q.current = q.waiting[0]
		q.work <- q.current
		q.bytes -= len(q.current.data)
		q.waiting[0] = picture{}
		q.waiting = q.waiting[1:]
	} else {
		q.busy, q.current = false, picture{}
	}
	return d.done(d.png, d.id, d.err)
}

// abandonPictures gives up the pictures not decoded yet, as the session
// ends.
func (s *session) abandonPictures() {
	q := &s.pictures
	if q.busy {
		q.current.abandon()
	}
	for _, p := range q.waiting {
		p.abandon()
	}
	q.waiting, q.bytes, q.busy, q.current = nil, 0, false, picture{}
}
