package seal

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
)

func TestLoadOrCreateKeyFile(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data", "keys")

	first, created, err := LoadOrCreateKeyFile(dir)
	if err != nil {
		t.Fatalf("first call: %v", err)
	}
	if !created {
		t.Errorf("first call: got created false, want true")
	}
	checkMode(t, dir, 0o700)
	checkMode(t, filepath.Join(dir, KeyFileName), 0o600)

	second, created, err := LoadOrCreateKeyFile(dir)
	if err != nil {
		t.Fatalf("second call: %v", err)
	}
	if created {
		t.Errorf("second call: got created true, want false")
	}
	if second.ID != first.ID || *second.bytes != *first.bytes {
		t.Errorf("second call: got key %s, want %s", second.ID, first.ID)
	}

	leftovers, _ := filepath.Glob(filepath.Join(dir, ".*"))
	if len(leftovers) > 0 {
		t.Errorf("temporary files left: got %v, want none", leftovers)
	}
}

func TestLoadOrCreateKeyFileReadsExisting(t *testing.T) {
	tests := []struct {
		name    string
		text    string
		wantErr error
	}{
		{name: "std with newline", text: "AQIDBAUGBwgJCgsMDQ4PEBESExQVFhcYGRobHB0eHyA=\n"},
		{name: "raw url", text: "AQIDBAUGBwgJCgsMDQ4PEBESExQVFhcYGRobHB0eHyA"},
		{name: "empty", text: "", wantErr: ErrInvalidKey},
		{name: "too short", text: "AQIDBAUGBwgJCgsMDQ4PEA==", wantErr: ErrInvalidKey},
		{name: "not base64", text: "secret key!", wantErr: ErrInvalidKey},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, KeyFileName)
			if err := os.WriteFile(path, []byte(tt.text), 0o600); err != nil {
				t.Fatal(err)
			}

			k, created, err := LoadOrCreateKeyFile(dir)
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("error: got %v, want %v", err, tt.wantErr)
			}
			if created {
				t.Errorf("created: got true, want false")
			}
			if err != nil {
				checkErrHidesInput(t, err, tt.text)
				after, _ := os.ReadFile(path)
				if string(after) != tt.text {
					t.Errorf("file: got %q, want it left as %q", after, tt.text)
				}
				return
			}
			if want := testKey(t, 1); k.ID != want.ID {
				t.Errorf("key: got %s, want %s", k.ID, want.ID)
			}
		})
	}
}

// checkMode fails when path's permission bits are not want.
func checkMode(t *testing.T, path string, want os.FileMode) {
	t.Helper()
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if got := fi.Mode().Perm(); got != want {
		t.Errorf("%s mode: got %o, want %o", filepath.Base(path), got, want)
	}
}
