package ui

import (
	"mime"
	"net/http"
	"os"
	"path"
	"path/filepath"
	"strings"

	"github.com/maxence-charriere/go-app/v10/pkg/app"
)

// staticFiles serves the files under web/ and resolves their addresses
// the way go-app's local resolver does. When a file has a precompressed
// twin (app.wasm.br, app.wasm.gz) and the browser accepts that encoding,
// the twin is sent instead.
type staticFiles struct {
	dir   string
	files http.Handler
}

var _ app.ResourceResolver = staticFiles{}

func newStaticFiles(dir string) staticFiles {
	dir = strings.TrimRight(dir, "/")
	root := dir
	if root == "" {
		root = "."
	}
	return staticFiles{dir: dir, files: http.FileServer(http.Dir(root))}
}

// Resolve maps a /web/ address to the address it is served at.
func (s staticFiles) Resolve(location string) string {
	switch {
	case location == "" || location == "/":
		return "/"
	case strings.Contains(location, "://") || !strings.HasPrefix(location, "/web/"):
		return location
	}
	if s.dir == "" {
		return location
	}
	return s.dir + "/" + strings.TrimPrefix(location, "/")
}

// encodings are the precompressed forms looked for, best first.
var encodings = []struct{ name, ext string }{
	{"br", ".br"},
	{"gzip", ".gz"},
}

// ServeHTTP serves a file under web/, precompressed when possible.
func (s staticFiles) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	clean := path.Clean(r.URL.Path)
	accept := r.Header.Get("Accept-Encoding")
	for _, enc := range encodings {
		if !acceptsEncoding(accept, enc.name) || !s.exists(clean+enc.ext) {
			continue
		}
		w.Header().Set("Content-Encoding", enc.name)
		w.Header().Set("Vary", "Accept-Encoding")
		if t := mime.TypeByExtension(path.Ext(clean)); t != "" {
			w.Header().Set("Content-Type", t)
		}
		r2 := *r
		u := *r.URL
		u.Path = clean + enc.ext
		r2.URL = &u
		s.files.ServeHTTP(w, &r2)
		return
	}
	s.files.ServeHTTP(w, r)
}

func (s staticFiles) exists(urlPath string) bool {
	root := s.dir
	if root == "" {
		root = "."
	}
	fi, err := os.Stat(filepath.Join(root, filepath.FromSlash(urlPath)))
	return err == nil && fi.Mode().IsRegular()
}

// acceptsEncoding reports whether an Accept-Encoding header allows enc.
// A weight of zero refuses it (RFC 9110 section 12.5.3).
func acceptsEncoding(header, enc string) bool {
	for _, part := range strings.Split(header, ",") {
		name, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		if !strings.EqualFold(strings.TrimSpace(name), enc) {
			continue
		}
		q := strings.ReplaceAll(strings.TrimSpace(params), " ", "")
		return q != "q=0" && q != "q=0.0" && q != "q=0.00" && q != "q=0.000"
	}
	return false
}
