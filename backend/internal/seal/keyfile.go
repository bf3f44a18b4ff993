package seal

import (
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// KeyFileName is the name of the key file inside the data directory.
const KeyFileName = "secret.key"

// LoadOrCreateKeyFile returns the key stored in dir/secret.key as base64
// text. When the file does not exist, it creates dir (mode 0700) if
// needed, writes a fresh random key to the file (mode 0600), and reports
// created as true. An existing file is never replaced, even if it does not
// hold a valid key: losing a key loses every value sealed with it.
func LoadOrCreateKeyFile(dir string) (key Key, created bool, err error) {
	path := filepath.Join(dir, KeyFileName)
	key, err = readKeyFile(path)
	if !errors.Is(err, fs.ErrNotExist) {
		return key, false, err
	}

	key, err = createKeyFile(dir, path)
	if errors.Is(err, fs.ErrExist) {
		// Another process created the file first; use its key.
		key, err = readKeyFile(path)
		return key, false, err
	}
	if err != nil {
		return Key{}, false, err
	}
	return key, true, nil
}

// readKeyFile reads and decodes the key file at path. A missing file
// yields an error that matches fs.ErrNotExist.
func readKeyFile(path string) (Key, error) {
	text, err := os.ReadFile(path)
	if err != nil {
		return Key{}, fmt.Errorf("seal: read key file: %w", err)
	}
	defer clear(text)

	k, err := decodeKey(string(text))
	if err != nil {
		return Key{}, fmt.Errorf("seal: key file %s: %w", path, err)
	}
	return k, nil
}

// createKeyFile writes a new random key to a temporary file in dir, then
// links it to path. Unlike a rename, the link fails when path already
// exists, so two servers starting at once cannot replace each other's
// key. The error matches fs.ErrExist in that case.
func createKeyFile(dir, path string) (Key, error) {
	var raw [KeySize]byte
	if _, err := rand.Read(raw[:]); err != nil {
		return Key{}, fmt.Errorf("seal: generate key: %w", err)
	}
	k, err := newKey(raw[:])
	if err != nil {
		return Key{}, fmt.Errorf("seal: generate key: %w", err)
	}
	clear(raw[:])

	if err := os.MkdirAll(dir, 0o700); err != nil {
		return Key{}, fmt.Errorf("seal: create key directory: %w", err)
	}
	tmp, err := writeTempKey(dir, k)
	if err != nil {
		return Key{}, err
	}
	defer os.Remove(tmp)

	if err := publish(tmp, path); err != nil {
		return Key{}, fmt.Errorf("seal: create key file: %w", err)
	}
	syncDir(dir)
	return k, nil
}

// publish gives the finished temporary file tmp its final name, path,
// without replacing a file already there.
func publish(tmp, path string) error {
	err := os.Link(tmp, path)
	if err == nil || errors.Is(err, fs.ErrExist) {
		return err
	}

	// Some file systems have no hard links. A rename still makes the key
	// appear whole, but may replace a file created a moment ago.
	if _, serr := os.Lstat(path); serr == nil {
		return fs.ErrExist
	}
	return os.Rename(tmp, path)
}

// writeTempKey writes k as base64 text to a new mode 0600 file in dir,
// flushed to disk, and returns the file's name.
func writeTempKey(dir string, k Key) (string, error) {
	f, err := os.CreateTemp(dir, "."+KeyFileName+"-*")
	if err != nil {
		return "", fmt.Errorf("seal: create key file: %w", err)
	}
	name := f.Name()

	text := base64.StdEncoding.EncodeToString(k.bytes[:]) + "\n"
	err = f.Chmod(0o600)
	if err == nil {
		_, err = f.WriteString(text)
	}
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(name)
		return "", fmt.Errorf("seal: write key file: %w", err)
	}
	return name, nil
}

// syncDir flushes dir so that the new key file's name survives a crash.
// It is best effort: some systems cannot sync a directory, and the file
// itself is already on disk.
func syncDir(dir string) {
	d, err := os.Open(dir)
	if err != nil {
		return
	}
	d.Sync()
	d.Close()
}
