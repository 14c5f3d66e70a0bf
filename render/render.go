// Package render turns presence into images: shields-style badges in SVG
// and PNG, status icons, Openfire-compatible status images and error
// badges. Everything here is a pure function of its inputs; Cache keeps
// rendered bytes so that a busy badge is drawn once per change.
//
// A web handler needs three steps: ParseQuery for the options, one of the
// Cache methods (Badge, Room, Icon, Error) for the image, and the Image's
// Body, ContentType and ETag for the answer.
package render

import (
	"fmt"
	"strconv"
	"strings"

	"badges/presence"
)

// Format is an image format.
type Format uint8

// The formats.
const (
	SVG Format = iota + 1
	PNG
)

// ParseFormat accepts "svg" or "png", with or without a leading dot.
func ParseFormat(ext string) (Format, error) {
	switch strings.TrimPrefix(ext, ".") {
	case "svg":
		return SVG, nil
	case "png":
		return PNG, nil
	}
	return 0, fmt.Errorf("render: unknown image format %q (want svg or png)", ext)
}

// CutFormat splits a path segment such as "alice@example.com.svg" into the
// name and its format; ok is false when it ends in neither .svg nor .png.
func CutFormat(name string) (base string, f Format, ok bool) {
	if base, ok := strings.CutSuffix(name, ".svg"); ok {
		return base, SVG, true
	}
	if base, ok := strings.CutSuffix(name, ".png"); ok {
		return base, PNG, true
	}
	return name, 0, false
}

// String returns the format's file extension without the dot.
func (f Format) String() string {
	switch f {
	case SVG:
		return "svg"
	case PNG:
		return "png"
	}
	return "Format(" + strconv.Itoa(int(f)) + ")"
}

// ContentType is the media type to send the format with.
func (f Format) ContentType() string {
	if f == PNG {
		return "image/png"
	}
	return "image/svg+xml; charset=utf-8"
}

// Image is a rendered image and what an HTTP answer needs to send it.
// Body may be shared with other callers through a Cache: never modify it.
type Image struct {
	Body        []byte
	ContentType string
	// ETag is a strong entity tag of Body (quoted): equal bytes, equal tag.
	ETag string
}

func newImage(body []byte, f Format) Image {
	return Image{Body: body, ContentType: f.ContentType(), ETag: presence.ETag(body)}
}

// Badge renders the badge of a JID's presence, as Describe says it.
func Badge(p presence.Presence, o Options, f Format) Image {
	return drawSpec(badgeSpec(p, o), o.scale(f), f)
}

// RoomBadge renders a room's badge, as Describe says it.
func RoomBadge(r presence.Room, o Options, f Format) Image {
	return drawSpec(roomSpec(r, o), o.scale(f), f)
}

// ErrorBadge renders a badge that says what went wrong, so that an <img>
// never shows as broken: label "badge" (unless o gives one), message msg,
// in red. Style, label colour, logo and scale follow o.
func ErrorBadge(msg string, o Options, f Format) Image {
	return drawSpec(errorSpec(msg, o), o.scale(f), f)
}

func badgeSpec(p presence.Presence, o Options) spec {
	return o.descSpec(describePresence(p, o, StatusWord))
}

func roomSpec(r presence.Room, o Options) spec {
	return o.descSpec(describeRoom(r, o))
}

// descSpec draws what Describe says.
func (o Options) descSpec(d Description) spec {
	return o.newSpec(d.Label, d.Message, d.Color)
}

func errorSpec(msg string, o Options) spec {
	return o.newSpec(o.label("badge"), msg, errorColor)
}

// drawSpec renders a badge in the format asked for.
func drawSpec(s spec, scale int, f Format) Image {
	l := newLayout(s)
	if f == PNG {
		return newImage(l.png(scale), f)
	}
	return newImage(l.svg(), f)
}
