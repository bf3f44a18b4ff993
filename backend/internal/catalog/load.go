package catalog

import (
	"bytes"
	"cmp"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"

	"github.com/plugboard/plugboard/shared"
)

//go:embed services/*.json
var builtin embed.FS

// maxEntrySize bounds one entry file; real entries are a few kilobytes.
const maxEntrySize = 256 << 10

// EntryError is a problem with one catalog entry: the file it is in and,
// when the problem is one field, that field's JSON path.
type EntryError struct {
	File  string
	Field string
	Err   error
}

// Error names the file, the field when there is one, and the problem.
func (e *EntryError) Error() string {
	if e.Field == "" {
		return fmt.Sprintf("catalog: %s: %v", e.File, e.Err)
	}
	return fmt.Sprintf("catalog: %s: %s: %v", e.File, e.Field, e.Err)
}

// Unwrap returns the problem itself.
func (e *EntryError) Unwrap() error { return e.Err }

// Load reads the built-in entries and then, when extraDir is not empty,
// every *.json file in that folder. An extra entry whose id is already in
// the catalog replaces it. Each entry is normalized and checked with the
// shared service rules and the catalog's own (see rules.go). Every problem
// found is returned, joined with errors.Join; a problem with an entry is an
// *EntryError.
func Load(extraDir string) (*Catalog, error) {
	srcs := []source{{fsys: builtin, dir: "services"}}
	if extraDir != "" {
		srcs = append(srcs, source{fsys: os.DirFS(extraDir), dir: ".", folder: extraDir})
	}
	return load(srcs...)
}

// load reads the sources in order; a later entry replaces an earlier one
// with the same id.
func load(srcs ...source) (*Catalog, error) {
	byID := map[string]shared.Service{}
	var errs []error
	for _, src := range srcs {
		errs = append(errs, src.load(byID)...)
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return newCatalog(byID), nil
}

// source is a folder of entries: the built-in one, or an operator's, named
// by folder in errors so the operator can find the file.
type source struct {
	fsys   fs.FS
	dir    string
	folder string
}

// display is the name errors give the file called name.
func (src source) display(name string) string {
	if src.folder == "" {
		return name
	}
	return filepath.Join(src.folder, name)
}

// load adds the source's entries to byID and returns every problem found.
func (src source) load(byID map[string]shared.Service) []error {
	entries, err := fs.ReadDir(src.fsys, src.dir)
	if err != nil {
		return []error{fmt.Errorf("catalog: read folder %s: %w", cmp.Or(src.folder, src.dir), err)}
	}
	var errs []error
	for _, e := range entries {
		if e.IsDir() || path.Ext(e.Name()) != ".json" {
			continue
		}
		s, fe := loadFile(src.fsys, path.Join(src.dir, e.Name()), src.display(e.Name()))
		if len(fe) > 0 {
			errs = append(errs, fe...)
			continue
		}
		byID[s.ID] = s
	}
	return errs
}

// loadFile decodes and checks one entry.
func loadFile(fsys fs.FS, name, display string) (shared.Service, []error) {
	data, err := readLimited(fsys, name)
	if err != nil {
		return shared.Service{}, []error{&EntryError{File: display, Err: err}}
	}
	s, err := decodeEntry(data)
	if err != nil {
		return shared.Service{}, []error{&EntryError{File: display, Err: err}}
	}
	s.Normalize()
	s.BuiltIn = true
	var errs []error
	fe := append(s.Validate(), checkEntry(&s, path.Base(name))...)
	for _, f := range fe {
		errs = append(errs, &EntryError{File: display, Field: f.Field, Err: errors.New(f.Message)})
	}
	return s, errs
}

func readLimited(fsys fs.FS, name string) ([]byte, error) {
	f, err := fsys.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxEntrySize+1))
	if err != nil {
		return nil, err
	}
	if len(data) > maxEntrySize {
		return nil, fmt.Errorf("is larger than %d bytes", maxEntrySize)
	}
	return data, nil
}

// decodeEntry decodes exactly one service object, refusing fields that
// shared.Service does not have.
func decodeEntry(data []byte) (shared.Service, error) {
	var s shared.Service
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&s); err != nil {
		return s, fmt.Errorf("decode: %w", err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return s, errors.New("decode: more than one JSON value")
	}
	return s, nil
}
