package ui

import (
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestAcceptsEncoding(t *testing.T) {
	tests := []struct {
		header, enc string
		want        bool
	}{
		{"gzip, deflate, br", "br", true},
		{"gzip, deflate", "br", false},
		{"br;q=0, gzip", "br", false},
		{"BR ; q=0.5", "br", true},
		{"", "gzip", false},
	}
	for _, tt := range tests {
		if got := acceptsEncoding(tt.header, tt.enc); got != tt.want {
			t.Errorf("acceptsEncoding(%q, %q): got %v, want %v", tt.header, tt.enc, got, tt.want)
		}
	}
}

func TestStaticFilesServePrecompressed(t *testing.T) {
	dir := t.TempDir()
	web := filepath.Join(dir, "web")
	os.Mkdir(web, 0o755)
	os.WriteFile(filepath.Join(web, "app.wasm"), []byte("raw"), 0o644)
	os.WriteFile(filepath.Join(web, "app.wasm.br"), []byte("brotli"), 0o644)
	os.WriteFile(filepath.Join(web, "app.wasm.gz"), []byte("gzip"), 0o644)
	os.WriteFile(filepath.Join(web, "app.css"), []byte("css"), 0o644)
	files := newStaticFiles(dir)

	tests := []struct {
		name, path, accept          string
		wantBody, wantEnc, wantType string
	}{
		{"brotli", "/web/app.wasm", "gzip, br", "brotli", "br", "application/wasm"},
		{"gzip", "/web/app.wasm", "gzip", "gzip", "gzip", "application/wasm"},
		{"raw", "/web/app.wasm", "", "raw", "", "application/wasm"},
		{"no twin", "/web/app.css", "br", "css", "", "text/css; charset=utf-8"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := httptest.NewRequest(http.MethodGet, tt.path, nil)
			req.Header.Set("Accept-Encoding", tt.accept)
			rec := httptest.NewRecorder()
			files.ServeHTTP(rec, req)

			body, _ := io.ReadAll(rec.Body)
			if string(body) != tt.wantBody {
				t.Errorf("body: got %q, want %q", body, tt.wantBody)
			}
			if got := rec.Header().Get("Content-Encoding"); got != tt.wantEnc {
				t.Errorf("encoding: got %q, want %q", got, tt.wantEnc)
			}
			if got := rec.Header().Get("Content-Type"); got != tt.wantType {
				t.Errorf("type: got %q, want %q", got, tt.wantType)
			}
		})
	}
}

// TestStaticFilesStayInWeb checks that nothing outside the web folder
// (the data folder with the secret key, the repository) is served, however
// the address is written, and that folders are not listed.
func TestStaticFilesStayInWeb(t *testing.T) {
	dir := t.TempDir()
	os.MkdirAll(filepath.Join(dir, "web", "icons"), 0o755)
	os.MkdirAll(filepath.Join(dir, "data"), 0o700)
	os.WriteFile(filepath.Join(dir, "web", "app.css"), []byte("css"), 0o644)
	os.WriteFile(filepath.Join(dir, "data", "secret.key"), []byte("TOP-SECRET-KEY"), 0o600)
	os.WriteFile(filepath.Join(dir, "go.mod"), []byte("module x"), 0o644)
	files := newStaticFiles(dir)

	for _, p := range []string{
		"/web/../data/secret.key",
		"/web/..%2fdata/secret.key",
		"/web/%2e%2e/data/secret.key",
		"/web/%2e%2e%2fdata%2fsecret.key",
		"/web/../go.mod",
		"/data/secret.key",
		"/web/",
		"/web/icons/",
		"/web/..",
	} {
		t.Run(p, func(t *testing.T) {
			req := httptest.NewRequest(http.MethodGet, "http://plugboard.test/", nil)
			req.URL.Path, req.URL.RawPath = mustUnescape(t, p), p
			rec := httptest.NewRecorder()
			files.ServeHTTP(rec, req)
			body := rec.Body.String()
			if strings.Contains(body, "TOP-SECRET-KEY") || strings.Contains(body, "module x") {
				t.Fatalf("served a file outside web/: status %d, body %q", rec.Code, body)
			}
			if rec.Code == http.StatusOK {
				t.Errorf("status: got 200 with %q, want a refusal", body)
			}
		})
	}
}

func mustUnescape(t *testing.T, p string) string {
	t.Helper()
	u, err := url.PathUnescape(p)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

func TestResolve(t *testing.T) {
	tests := []struct{ dir, in, want string }{
		{"", "/web/app.css", "/web/app.css"},
		{"", "/", "/"},
		{"/srv", "/web/app.css", "/srv/web/app.css"},
		{"/srv", "https://cdn.example/x.css", "https://cdn.example/x.css"},
		{"/srv", "/app.css", "/app.css"},
	}
	for _, tt := range tests {
		if got := newStaticFiles(tt.dir).Resolve(tt.in); got != tt.want {
			t.Errorf("Resolve(%q) in %q: got %q, want %q", tt.in, tt.dir, got, tt.want)
		}
	}
}

func TestHandlerUsesOnlyLocalIcons(t *testing.T) {
	RegisterRoutes()
	h := Handler()
	srv := httptest.NewServer(h)
	defer srv.Close()

	for _, path := range []string{"/manifest.webmanifest", "/", "/app-worker.js"} {
		resp, err := http.Get(srv.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Errorf("%s: got status %d", path, resp.StatusCode)
		}
		if strings.Contains(string(body), "githubusercontent") {
			t.Errorf("%s refers to an outside icon", path)
		}
	}
	if h.Name != "Plugboard" || h.Icon.SVG == "" || h.Icon.Large == "" {
		t.Errorf("handler: got %+v", h)
	}
}
