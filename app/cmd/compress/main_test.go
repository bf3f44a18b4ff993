package main

import (
	"bytes"
	"compress/gzip"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/andybalholm/brotli"
)

func TestRunWritesBothTwins(t *testing.T) {
	path := filepath.Join(t.TempDir(), "app.wasm")
	raw := bytes.Repeat([]byte("plugboard wasm "), 1000)
	if err := os.WriteFile(path, raw, 0o644); err != nil {
		t.Fatal(err)
	}

	if err := run(path); err != nil {
		t.Fatal(err)
	}

	readers := map[string]func(io.Reader) (io.Reader, error){
		".br": func(r io.Reader) (io.Reader, error) { return brotli.NewReader(r), nil },
		".gz": func(r io.Reader) (io.Reader, error) { return gzip.NewReader(r) },
	}
	for ext, open := range readers {
		f, err := os.Open(path + ext)
		if err != nil {
			t.Fatalf("%s: %v", ext, err)
		}
		r, err := open(f)
		if err != nil {
			t.Fatalf("%s: %v", ext, err)
		}
		got, err := io.ReadAll(r)
		f.Close()
		if err != nil || !bytes.Equal(got, raw) {
			t.Errorf("%s: got %d bytes (%v), want the %d raw bytes back", ext, len(got), err, len(raw))
		}
	}
	left, _ := filepath.Glob(filepath.Join(filepath.Dir(path), ".compress-*"))
	if len(left) > 0 {
		t.Errorf("temporary files left: %v", left)
	}
}
