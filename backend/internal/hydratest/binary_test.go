package hydratest

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestFindBinary(t *testing.T) {
	dir := t.TempDir()
	exe := filepath.Join(dir, "hydra")
	if err := os.WriteFile(exe, []byte("#!/bin/sh\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	plain := filepath.Join(dir, "plain")
	if err := os.WriteFile(plain, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	root, err := moduleRoot()
	if err != nil {
		t.Fatalf("moduleRoot: %v", err)
	}

	tests := []struct {
		name    string
		env     string
		want    string
		wantErr bool
	}{
		{name: "env names an executable", env: exe, want: exe},
		{name: "env names a missing file", env: filepath.Join(dir, "nope"), wantErr: true},
		{name: "env names a directory", env: dir, wantErr: true},
		{name: "env names a plain file", env: plain, wantErr: true},
		{name: "bin/hydra at the module root", want: filepath.Join(root, "bin", "hydra")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv(BinaryEnv, tt.env)

			got, err := findBinary()

			if tt.wantErr {
				if err == nil || !strings.Contains(err.Error(), "make bin/hydra") {
					t.Errorf("findBinary() = %q, %v; want an error naming make bin/hydra",
						got, err)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Errorf("findBinary() = %q, %v; want %q", got, err, tt.want)
			}
		})
	}
}
