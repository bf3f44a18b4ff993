// Command compress writes brotli and gzip copies of the built web app
// next to it (web/app.wasm.br and web/app.wasm.gz), so the server can
// send the smaller one to browsers that accept it, and prints the sizes.
//
//	go run ./app/cmd/compress [web/app.wasm]
package main

import (
	"compress/gzip"
	"fmt"
	"io"
	"os"

	"github.com/andybalholm/brotli"
)

func main() {
	path := "web/app.wasm"
	if len(os.Args) > 1 {
		path = os.Args[1]
	}
	if err := run(path); err != nil {
		fmt.Fprintln(os.Stderr, "compress:", err)
		os.Exit(1)
	}
}

func run(path string) error {
	raw, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	br, err := write(path+".br", raw, func(w io.Writer) io.WriteCloser {
		return brotli.NewWriterLevel(w, brotli.BestCompression)
	})
	if err != nil {
		return err
	}
	gz, err := write(path+".gz", raw, func(w io.Writer) io.WriteCloser {
		zw, _ := gzip.NewWriterLevel(w, gzip.BestCompression)
		return zw
	})
	if err != nil {
		return err
	}
	fmt.Printf("%s: raw %d bytes, gzip %d bytes, brotli %d bytes\n", path, len(raw), gz, br)
	return nil
}

// write compresses data into name, through a temporary file so that a
// reader never sees half of it, and returns the compressed size.
func write(name string, data []byte, newWriter func(io.Writer) io.WriteCloser) (int64, error) {
	tmp, err := os.CreateTemp(dirOf(name), ".compress-*")
	if err != nil {
		return 0, err
	}
	defer os.Remove(tmp.Name())
	zw := newWriter(tmp)
	if _, err := zw.Write(data); err != nil {
		tmp.Close()
		return 0, fmt.Errorf("compress %s: %w", name, err)
	}
	if err := zw.Close(); err != nil {
		tmp.Close()
		return 0, fmt.Errorf("compress %s: %w", name, err)
	}
	fi, err := tmp.Stat()
	if err != nil {
		tmp.Close()
		return 0, err
	}
	if err := tmp.Close(); err != nil {
		return 0, err
	}
	if err := os.Rename(tmp.Name(), name); err != nil {
		return 0, err
	}
	return fi.Size(), nil
}

func dirOf(name string) string {
	for i := len(name) - 1; i >= 0; i-- {
		if name[i] == '/' || name[i] == os.PathSeparator {
			return name[:i+1]
		}
	}
	return "."
}
