package bench

import (
	"bytes"
	"encoding/json"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"runtime"
	"strconv"
	"syscall"
	"testing"
	"time"

	"badges/avatar"
	"badges/presence"
)

// Avatar benchmarks: go test ./bench -run '^$' -bench 'Avatar|RichContact' -benchmem
//
// Normalize is what the watcher pays once per new picture (decode, crop,
// scale to 512, encode); Resize what /avatar pays once per picture and
// size before its cache holds the answer.

// cpuTime is the CPU time the process used so far. On a shared machine
// wall time per op swings with the neighbours' load; CPU time does not.
func cpuTime(b *testing.B) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// reportCPU adds the CPU milliseconds per op since start.
func reportCPU(b *testing.B, start time.Duration) {
	b.ReportMetric(float64(cpuTime(b)-start)/float64(time.Millisecond)/float64(b.N), "cpu-ms/op")
}

// photo is a w x h picture with detail, so that PNG and JPEG do not
// compress it to nothing: a gradient with a pattern.
func photo(w, h int) image.Image {
	img := image.NewNRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			img.SetNRGBA(x, y, color.NRGBA{R: uint8(x * 255 / w), G: uint8(y * 255 / h), B: uint8((x ^ y) & 0xff), A: 255})
		}
	}
	return img
}

func encodedPhoto(b *testing.B, format string, side int) []byte {
	b.Helper()
	var buf bytes.Buffer
	var err error
	switch format {
	case "png":
		err = png.Encode(&buf, photo(side, side))
	case "jpeg":
		err = jpeg.Encode(&buf, photo(side, side), &jpeg.Options{Quality: 85})
	}
	if err != nil {
		b.Fatal(err)
	}
	return buf.Bytes()
}

func BenchmarkAvatarNormalize(b *testing.B) {
	for _, tt := range []struct {
		format string
		side   int
	}{{"png", 96}, {"png", 512}, {"jpeg", 512}, {"jpeg", 1024}} {
		data := encodedPhoto(b, tt.format, tt.side)
		if len(data) > avatar.MaxBytes {
			b.Fatalf("%s %d: %d bytes, over the limit", tt.format, tt.side, len(data))
		}
		b.Run(tt.format+"-"+strconv.Itoa(tt.side), func(b *testing.B) {
			b.SetBytes(int64(len(data)))
			b.ReportAllocs()
			start := cpuTime(b)
			for b.Loop() {
				if _, _, err := avatar.Normalize(data); err != nil {
					b.Fatal(err)
				}
			}
			reportCPU(b, start)
		})
	}
}

func BenchmarkAvatarResize(b *testing.B) {
	stored, _, err := avatar.Normalize(encodedPhoto(b, "jpeg", 1024))
	if err != nil {
		b.Fatal(err)
	}
	for _, size := range []int{16, 64, 128, 256, 512} {
		b.Run(strconv.Itoa(size), func(b *testing.B) {
			b.ReportAllocs()
			start := cpuTime(b)
			for b.Loop() {
				if _, err := avatar.Resize(stored, size); err != nil {
					b.Fatal(err)
				}
			}
			reportCPU(b, start)
		})
	}
}

func BenchmarkAvatarPlaceholder(b *testing.B) {
	for _, size := range []int{16, 128, 512} {
		b.Run(strconv.Itoa(size), func(b *testing.B) {
			b.ReportAllocs()
			start := cpuTime(b)
			for b.Loop() {
				avatar.Placeholder("alice.liddell@example.com", size)
			}
			reportCPU(b, start)
		})
	}
}

// nopStore keeps nothing: the memory measured is the Directory's.
type nopStore struct{}

func (nopStore) Records() ([]presence.Record, error) { return nil, nil }
func (nopStore) Write([]presence.Write) []error      { return nil }

// BenchmarkRichContactMemory reports the heap held per contact with every
// detail set (two resources with client types and idle, a profile with
// nick, vCard names, tune, mood and activity, a picture id), against a
// contact with a status alone: the Directory's state and the hub's encoded
// entry. Pictures themselves are measured apart (StoredSize PNGs).
func BenchmarkRichContactMemory(b *testing.B) {
	const n = 10000
	for _, rich := range []bool{false, true} {
		b.Run(map[bool]string{false: "status-only", true: "every-field"}[rich], func(b *testing.B) {
			for b.Loop() {
				b.StopTimer()
				runtime.GC()
				var before runtime.MemStats
				runtime.ReadMemStats(&before)
				hub := presence.NewMemHub()
				dir, err := presence.NewDirectory(hub, nopStore{}, presence.DirectoryOptions{ShowMessages: true})
				if err != nil {
					b.Fatal(err)
				}
				b.StartTimer()
				for i := range n {
					jid := fmt.Sprintf("user%d@example.com", i)
					if err := dir.SetRosterItem(jid, presence.RosterItem{Subscribed: true}); err != nil {
						b.Fatal(err)
					}
					r := presence.Resource{Status: presence.Away, Message: "In a meeting until three"}
					if rich {
						r.Device, r.IdleSince = "phone", time.Now().Add(-time.Minute)
					}
					dir.SetResource(jid, "phone", r)
					if !rich {
						continue
					}
					dir.SetResource(jid, "desk", presence.Resource{Status: presence.Available, Priority: 1, Device: "pc"})
					dir.SetProfile(jid, presence.Profile{
						Nick: "User " + strconv.Itoa(i), VCardNick: "user", VCardFN: "A. User " + strconv.Itoa(i),
						PEPAvatar: "0123456789abcdef",
						Tune: &presence.Tune{Artist: "Yes", Title: "Roundabout", Source: "Fragile", Track: "1", Length: 507,
							URI: "https://music.example/yes/fragile/1"},
						Mood:     &presence.Mood{Value: "happy", Text: "sunny"},
						Activity: &presence.Activity{General: "working", Specific: "coding", Text: "on badges"},
					})
				}
				b.StopTimer()
				runtime.GC()
				var after runtime.MemStats
				runtime.ReadMemStats(&after)
				b.ReportMetric(float64(after.HeapAlloc-before.HeapAlloc)/n, "B/contact")
				if rich {
					e := hub.Get(presence.JIDTopic("user1@example.com"))
					var p map[string]json.RawMessage
					if json.Unmarshal(e.JSON, &p) != nil || p["tune"] == nil {
						b.Fatalf("details missing: %s", e.JSON)
					}
					b.ReportMetric(float64(len(e.JSON)), "B/json")
				}
				runtime.KeepAlive(dir)
				dir.Close()
				b.StartTimer()
			}
		})
	}
}

// BenchmarkAvatarStoredBytes reports the bytes kept per picture (the
// square PNG of StoredSize) for a photo and for a flat logo.
func BenchmarkAvatarStoredBytes(b *testing.B) {
	for _, tt := range []struct {
		name string
		data []byte
	}{{"photo", encodedPhoto(b, "jpeg", 1024)}} {
		b.Run(tt.name, func(b *testing.B) {
			var n int
			for b.Loop() {
				pic, _, err := avatar.Normalize(tt.data)
				if err != nil {
					b.Fatal(err)
				}
				n = len(pic)
			}
			b.ReportMetric(float64(n), "B/picture")
		})
	}
}
