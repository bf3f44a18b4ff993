package catalog

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/plugboard/plugboard/shared"
)

func TestLoadExtraDir(t *testing.T) {
	builtinLen := loadBuiltin(t).Len()
	dir := filepath.Join("testdata", "override")

	c, err := Load(dir)
	if err != nil {
		t.Fatalf("Load(%q): %v", dir, err)
	}

	if c.Len() != builtinLen+1 {
		t.Errorf("Len: got %d, want %d (the built-in entries plus acme)", c.Len(), builtinLen+1)
	}
	tests := []struct {
		name     string
		id       string
		wantName string
	}{
		{name: "extra entry replaces a built-in one", id: "github", wantName: "GitHub Enterprise Cloud"},
		{name: "extra entry is added", id: "acme", wantName: "Acme Widgets"},
		{name: "other built-in entries stay", id: "gitlab", wantName: "GitLab"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, ok := c.Get(tt.id)
			if !ok {
				t.Fatalf("Get(%q): got nothing, want the entry", tt.id)
			}
			if s.Name != tt.wantName {
				t.Errorf("name: got %q, want %q", s.Name, tt.wantName)
			}
			if !s.BuiltIn {
				t.Errorf("builtin: got false, want true")
			}
		})
	}
}

// loadOnly loads the entries of one testdata folder without the built-in
// ones, so these tests do not depend on the state of the catalog.
func loadOnly(dir string) (*Catalog, error) {
	return load(source{fsys: os.DirFS(dir), dir: ".", folder: dir})
}

func TestLoadNormalizes(t *testing.T) {
	c, err := loadOnly(filepath.Join("testdata", "override"))
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	s, _ := c.Get("github")
	if s.ScopeSeparator != " " {
		t.Errorf("scope_separator: got %q, want the default \" \"", s.ScopeSeparator)
	}
	if s.Verify == nil || s.Verify.Method != "GET" {
		t.Errorf("verify_request: got %+v, want method GET filled in", s.Verify)
	}
}

func TestLoadErrors(t *testing.T) {
	tests := []struct {
		name string
		dir  string
		want []EntryError // File is relative to dir; Err is matched as text
	}{
		{
			name: "broken field",
			dir:  "broken",
			want: []EntryError{{File: "brokenco.json", Field: "token_url",
				Err: errors.New("must be an absolute http or https URL")}},
		},
		{
			name: "unknown field",
			dir:  "unknown",
			want: []EntryError{{File: "colourful.json",
				Err: errors.New(`decode: json: unknown field "colour"`)}},
		},
		{
			name: "id, address and icon wrong at once",
			dir:  "misnamed",
			want: []EntryError{
				{File: "widgets.json", Field: "id"},
				{File: "widgets.json", Field: "icon"},
				{File: "widgets.json", Field: "docs_url"},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := filepath.Join("testdata", tt.dir)

			c, err := loadOnly(dir)

			if c != nil {
				t.Errorf("Load(%q): got a catalog, want nil", dir)
			}
			got := entryErrors(err)
			if len(got) != len(tt.want) {
				t.Fatalf("Load(%q): got %d entry errors (%v), want %d", dir, len(got), err, len(tt.want))
			}
			for _, w := range tt.want {
				w.File = filepath.Join(dir, w.File)
				if !containsEntryError(got, w) {
					t.Errorf("Load(%q): got %v, want an error for %s field %q", dir, err, w.File, w.Field)
				}
			}
		})
	}
}

func TestLoadMessageNamesFileAndField(t *testing.T) {
	dir := filepath.Join("testdata", "broken")
	_, err := loadOnly(dir)
	want := "catalog: " + filepath.Join(dir, "brokenco.json") +
		": token_url: must be an absolute http or https URL"
	if err == nil || err.Error() != want {
		t.Errorf("got %v, want %q", err, want)
	}
}

func TestLoadMissingDir(t *testing.T) {
	dir := filepath.Join("testdata", "no-such-folder")
	_, err := loadOnly(dir)
	if err == nil {
		t.Fatalf("Load(%q): got no error, want one", dir)
	}
	if len(entryErrors(err)) != 0 {
		t.Errorf("Load(%q): got entry errors %v, want a folder error", dir, err)
	}
}

// entryErrors returns the *EntryError values that Load joined into err.
func entryErrors(err error) []*EntryError {
	var out []*EntryError
	var joined interface{ Unwrap() []error }
	if !errors.As(err, &joined) {
		return out
	}
	for _, e := range joined.Unwrap() {
		var ee *EntryError
		if errors.As(e, &ee) {
			out = append(out, ee)
		}
	}
	return out
}

// containsEntryError reports whether got has an error for want's file and
// field and, when want has one, with want's message.
func containsEntryError(got []*EntryError, want EntryError) bool {
	for _, g := range got {
		if g.File != want.File || g.Field != want.Field {
			continue
		}
		if want.Err == nil || g.Err.Error() == want.Err.Error() {
			return true
		}
	}
	return false
}

// TestCopiesShareNothing checks that what All and Get return shares no
// slice, map or pointer with the catalog, using an entry that fills every
// such field of shared.Service.
func TestCopiesShareNothing(t *testing.T) {
	c, err := loadOnly(filepath.Join("testdata", "override"))
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	inner := c.services[c.index["acme"]]
	requireFilled(t, reflect.ValueOf(inner), "acme")
	fromGet, _ := c.Get("acme")
	var fromAll shared.Service
	for _, s := range c.All() {
		if s.ID == "acme" {
			fromAll = s
		}
	}

	tests := []struct {
		name string
		got  shared.Service
	}{
		{name: "Get", got: fromGet},
		{name: "All", got: fromAll},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if !reflect.DeepEqual(tt.got, inner) {
				t.Fatalf("got %+v, want a copy equal to %+v", tt.got, inner)
			}
			for _, path := range sharedRefs(reflect.ValueOf(tt.got), reflect.ValueOf(inner), "service") {
				t.Errorf("%s: got memory shared with the catalog, want a copy", path)
			}
		})
	}
}

// timeType is skipped by the walks below: a time.Time is a value.
var timeType = reflect.TypeFor[time.Time]()

// requireFilled fails when a slice, map or pointer field of the fixture is
// empty, so that a field added to shared.Service later is covered.
func requireFilled(t *testing.T, v reflect.Value, path string) {
	t.Helper()
	if v.Type() == timeType {
		return
	}
	switch v.Kind() {
	case reflect.Struct:
		for i := range v.NumField() {
			requireFilled(t, v.Field(i), path+"."+v.Type().Field(i).Name)
		}
	case reflect.Slice, reflect.Map:
		if v.Len() == 0 {
			t.Errorf("%s: the fixture leaves it empty; fill it so copies are checked", path)
		}
	case reflect.Pointer:
		if v.IsNil() {
			t.Errorf("%s: the fixture leaves it nil; fill it so copies are checked", path)
			return
		}
		requireFilled(t, v.Elem(), path)
	}
}

// sharedRefs lists the paths at which a and b share a slice array, a map or
// a pointer target.
func sharedRefs(a, b reflect.Value, path string) []string {
	var out []string
	if a.Type() == timeType {
		return nil
	}
	switch a.Kind() {
	case reflect.Struct:
		for i := range a.NumField() {
			out = append(out, sharedRefs(a.Field(i), b.Field(i), path+"."+a.Type().Field(i).Name)...)
		}
	case reflect.Slice:
		if a.Len() > 0 && a.Pointer() == b.Pointer() {
			out = append(out, path)
		}
		for i := range min(a.Len(), b.Len()) {
			out = append(out, sharedRefs(a.Index(i), b.Index(i), path+"[]")...)
		}
	case reflect.Map:
		if !a.IsNil() && a.Pointer() == b.Pointer() {
			out = append(out, path)
		}
	case reflect.Pointer:
		if !a.IsNil() && a.Pointer() == b.Pointer() {
			out = append(out, path)
		}
		if !a.IsNil() && !b.IsNil() {
			out = append(out, sharedRefs(a.Elem(), b.Elem(), path)...)
		}
	}
	return out
}

func TestEntryErrorMessage(t *testing.T) {
	tests := []struct {
		name string
		err  *EntryError
		want string
	}{
		{
			name: "field",
			err:  &EntryError{File: "zoho.json", Field: "token_url", Err: errors.New("must be an absolute http or https URL")},
			want: "catalog: zoho.json: token_url: must be an absolute http or https URL",
		},
		{
			name: "whole file",
			err:  &EntryError{File: "zoho.json", Err: errors.New("decode: unexpected EOF")},
			want: "catalog: zoho.json: decode: unexpected EOF",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.err.Error(); got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
			if !strings.HasPrefix(tt.err.Error(), "catalog: ") {
				t.Errorf("got %q, want the catalog: prefix", tt.err.Error())
			}
		})
	}
}
