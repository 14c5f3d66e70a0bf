package render

import (
	"bytes"
	"encoding/xml"
	"errors"
	"io"
	"strconv"
	"testing"

	"badges/presence"
)

// svgRoot is what the tests read back from a badge or icon.
type svgRoot struct {
	Width     string `xml:"width,attr"`
	Height    string `xml:"height,attr"`
	Role      string `xml:"role,attr"`
	AriaLabel string `xml:"aria-label,attr"`
	Title     string `xml:"title"`
}

// parseSVG checks that body is well-formed XML (every token to EOF) and
// returns its root's attributes.
func parseSVG(t testing.TB, body []byte) svgRoot {
	t.Helper()
	d := xml.NewDecoder(bytes.NewReader(body))
	for {
		_, err := d.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatalf("SVG is not well-formed XML: %v\n%s", err, body)
		}
	}
	var root svgRoot
	if err := xml.Unmarshal(body, &root); err != nil {
		t.Fatalf("decode SVG root: %v\n%s", err, body)
	}
	return root
}

// svgSize reads the root's width and height as integers.
func svgSize(t testing.TB, root svgRoot) (w, h int) {
	t.Helper()
	w, err1 := strconv.Atoi(root.Width)
	h, err2 := strconv.Atoi(root.Height)
	if err1 != nil || err2 != nil {
		t.Fatalf("SVG size %q x %q is not whole pixels", root.Width, root.Height)
	}
	return w, h
}

// alice is the presence most tests draw.
func alice(s presence.Status) presence.Presence {
	return presence.Presence{JID: "alice@example.com", Status: s, Message: "In a meeting"}
}

// styleHeight is the pixel height of a style at scale 1.
func styleHeight(s Style) int {
	switch s {
	case Plastic:
		return plasticHeight
	case ForTheBadge:
		return ftbHeight
	}
	return flatHeight
}
