package cluster

import (
	"bytes"
	"context"
	"image"
	"image/color"
	"image/png"
	"testing"

	"badges/avatar"
	"badges/internal/testenv"
)

// TestAvatarsAcrossReplicas: a picture one replica's store takes is served
// by another's, from Redis, for a bounded time and within a bounded size.
func TestAvatarsAcrossReplicas(t *testing.T) {
	r := testenv.StartRedis(t)
	rdb, err := Connect(r.URL)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { rdb.Close() })
	var buf bytes.Buffer
	img := image.NewRGBA(image.Rect(0, 0, 40, 40))
	for i := range img.Pix {
		img.Pix[i] = byte(i)
	}
	img.Set(0, 0, color.RGBA{R: 255, A: 255})
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	pic, id, err := avatar.Normalize(buf.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	fail := func(err error) { t.Errorf("shared store: %v", err) }
	leader, other := avatar.NewStore(0), avatar.NewStore(0)
	leader.UseShared(NewAvatars(rdb), fail)
	other.UseShared(NewAvatars(rdb), fail)
	if _, ok := other.Image(id, 64); ok {
		t.Fatal("a picture nobody stored is served")
	}
	leader.Set("alice@example.com pep", id, pic)
	leader.Share(id, pic) // as the watcher's picture worker does
	want, ok := leader.Image(id, 64)
	if !ok {
		t.Fatal("the leader does not serve its picture")
	}
	got, ok := other.Image(id, 64)
	if !ok || !bytes.Equal(got, want) {
		t.Fatalf("other replica: held %v, same bytes %v", ok, bytes.Equal(got, want))
	}
	ttl, err := rdb.TTL(context.Background(), avatarPrefix+id).Result()
	if err != nil || ttl <= 0 || ttl > avatarTTL {
		t.Errorf("picture's ttl %v (%v), want within (0, %v]", ttl, err, avatarTTL)
	}
	if err := NewAvatars(rdb).Put("big", make([]byte, maxAvatarBytes+1)); err == nil {
		t.Error("a picture over the bound was stored")
	}
	r.Stop()
	other2 := avatar.NewStore(0)
	var reported error
	other2.UseShared(NewAvatars(rdb), func(err error) { reported = err })
	if _, ok := other2.Image(id, 32); ok || reported == nil {
		t.Errorf("with Redis down: served %v, error %v", ok, reported)
	}
}
