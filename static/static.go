// Package static holds the browser assets (scripts and styles) embedded in
// the binary. Each is served under a content-hashed name, so that it can be
// cached for a year and still change the moment its bytes do.
package static

import (
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"fmt"
	"io/fs"
	"path"
	"strings"
)

//go:embed *.js *.css
var files embed.FS

// Asset is one embedded file.
type Asset struct {
	// Name is the file's own name, e.g. "widget.js".
	Name string
	// Hashed is the content-hashed name, e.g. "widget.3f9a0c1b2d4e.js".
	Hashed string
	Type   string
	Body   []byte
	// ETag is a strong validator of Body.
	ETag string
}

var byName, byHashed = load()

// types are the media types of the embedded files by extension: fixed
// here rather than asked of mime.TypeByExtension, whose answer depends on
// the host's MIME tables and which loads all of them (about 14,000 objects
// that the collector then traces on every cycle, a cost every request pays).
var types = map[string]string{
	".js":  "text/javascript; charset=utf-8",
	".css": "text/css; charset=utf-8",
}

func load() (byName, byHashed map[string]*Asset) {
	byName, byHashed = map[string]*Asset{}, map[string]*Asset{}
	entries, err := fs.ReadDir(files, ".")
	if err != nil {
		panic(fmt.Sprintf("static: read embedded files: %v", err)) // the embed is fixed at build time
	}
	for _, e := range entries {
		body, err := files.ReadFile(e.Name())
		if err != nil {
			panic(fmt.Sprintf("static: read %s: %v", e.Name(), err))
		}
		sum := sha256.Sum256(body)
		hash := hex.EncodeToString(sum[:6])
		ext := path.Ext(e.Name())
		if types[ext] == "" {
			panic(fmt.Sprintf("static: %s: no media type for %q", e.Name(), ext))
		}
		a := &Asset{
			Name:   e.Name(),
			Hashed: strings.TrimSuffix(e.Name(), ext) + "." + hash + ext,
			Type:   types[ext],
			Body:   body,
			ETag:   `"` + hex.EncodeToString(sum[:16]) + `"`,
		}
		byName[a.Name], byHashed[a.Hashed] = a, a
	}
	return byName, byHashed
}

// Get returns the asset of that plain name.
func Get(name string) (*Asset, bool) {
	a, ok := byName[name]
	return a, ok
}

// Hashed returns the asset served under that content-hashed name.
func Hashed(name string) (*Asset, bool) {
	a, ok := byHashed[name]
	return a, ok
}

// URL returns the path of an asset under /static/ by its plain name. An
// unknown name is a programming error.
func URL(name string) string {
	a, ok := byName[name]
	if !ok {
		panic("static: no asset " + name)
	}
	return "/static/" + a.Hashed
}
