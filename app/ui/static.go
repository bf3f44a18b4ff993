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
//
// Only files inside the web folder are served: an address must start with
// /web/ once cleaned, the file system is rooted at the web folder itself
// (so ../ cannot leave it), and folders are never listed. The server's
// working folder also holds the data folder with the secret key.
type staticFiles struct {
	dir    string
	webDir string
	files  http.Handler
}

var _ app.ResourceResolver = staticFiles{}

// newStaticFiles serves dir/web; dir "" is the working folder.
func newStaticFiles(dir string) staticFiles {
	dir = strings.TrimRight(dir, "/")
	root := dir
	if root == "" {
		root = "."
	}
	webDir := filepath.Join(root, "web")
	return staticFiles{
		dir:    dir,
		webDir: webDir,
		files:  http.StripPrefix("/web", http.FileServer(filesOnly{http.Dir(webDir)})),
	}
}

// filesOnly is a file system that hides folders, so nothing is listed.
type filesOnly struct{ fs http.FileSystem }

func (f filesOnly) Open(name string) (http.File, error) {
	file, err := f.fs.Open(name)
	if err != nil {
		return nil, err
	}
	if fi, err := file.Stat(); err != nil || fi.IsDir() {
		file.Close()
		return nil, os.ErrNotExist
	}
	return file, nil
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
	clean := path.Clean("/" + r.URL.Path)
	if !strings.HasPrefix(clean, "/web/") {
		http.NotFound(w, r)
		return
	}
	r = withPath(r, clean)
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
		s.files.ServeHTTP(w, withPath(r, clean+enc.ext))
		return
	}
	s.files.ServeHTTP(w, r)
}

// withPath returns r for another, already clean, path.
func withPath(r *http.Request, p string) *http.Request {
	r2 := *r
	u := *r.URL
	u.Path, u.RawPath = p, ""
	r2.URL = &u
	return &r2
}

// exists reports whether a clean /web/ address names a regular file.
func (s staticFiles) exists(urlPath string) bool {
	rel := strings.TrimPrefix(urlPath, "/web/")
	fi, err := os.Stat(filepath.Join(s.webDir, filepath.FromSlash(rel)))
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
