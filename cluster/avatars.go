package cluster

import (
	"errors"
	"fmt"
	"time"

	"github.com/redis/go-redis/v9"

	"badges/avatar"
)

// Pictures are kept under avatarPrefix+id for avatarTTL after they were
// last put (each time the watcher decodes one) or read from Redis (by a
// replica that did not hold it), so that Redis does not keep every picture
// ever published. A picture that goes unchanged and unread in Redis for
// that long falls out: replicas that then lack it show the placeholder
// until the contact's picture is decoded again.
const (
	avatarPrefix = prefix + "avatar:"
	avatarTTL    = 30 * 24 * time.Hour
	// maxAvatarBytes bounds a stored picture: Normalize makes a PNG of
	// avatar.StoredSize pixels a side, far less than this.
	maxAvatarBytes = 2 << 20
)

// Avatars is the avatar.Shared on Redis (docs/DESIGN.md, Replicas on
// Redis): the pictures as normalised PNGs, keyed by their id.
type Avatars struct {
	rdb redis.UniversalClient
}

var _ avatar.Shared = (*Avatars)(nil)

// NewAvatars returns the picture store on rdb.
func NewAvatars(rdb redis.UniversalClient) *Avatars { return &Avatars{rdb: rdb} }

// Put keeps png under id.
func (a *Avatars) Put(id string, png []byte) error {
	if len(png) > maxAvatarBytes {
		return fmt.Errorf("picture of %d bytes, at most %d", len(png), maxAvatarBytes)
	}
	ctx, cancel := ctxIO()
	defer cancel()
	if err := a.rdb.Set(ctx, avatarPrefix+id, png, avatarTTL).Err(); err != nil {
		return unavailable("put avatar", err)
	}
	return nil
}

// Get returns the picture id, nil if Redis does not hold it, and keeps it
// for another avatarTTL.
func (a *Avatars) Get(id string) ([]byte, error) {
	ctx, cancel := ctxIO()
	defer cancel()
	b, err := a.rdb.GetEx(ctx, avatarPrefix+id, avatarTTL).Bytes()
	if errors.Is(err, redis.Nil) {
		return nil, nil
	}
	if err != nil {
		return nil, unavailable("get avatar", err)
	}
	if len(b) > maxAvatarBytes {
		return nil, fmt.Errorf("picture %s of %d bytes, at most %d", id, len(b), maxAvatarBytes)
	}
	return b, nil
}
