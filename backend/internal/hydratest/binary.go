package hydratest

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
)

// BinaryEnv names the environment variable that, when set, holds the path
// of the Hydra binary Start runs instead of bin/hydra.
const BinaryEnv = "PLUGBOARD_HYDRA_BIN"

// buildHint tells a developer how to get the binary.
const buildHint = "run `make bin/hydra` in the repository root " +
	"(or set " + BinaryEnv + " to a Hydra v2 binary built with -tags sqlite)"

// findBinary returns the Hydra binary to run: the one BinaryEnv names, or
// bin/hydra in the directory of the go.mod that encloses the working
// directory.
func findBinary() (string, error) {
	if p := os.Getenv(BinaryEnv); p != "" {
		if err := checkExecutable(p); err != nil {
			return "", fmt.Errorf("%s: %w; %s", BinaryEnv, err, buildHint)
		}
		return p, nil
	}

	root, err := moduleRoot()
	if err != nil {
		return "", fmt.Errorf("find hydra binary: %w; %s", err, buildHint)
	}
	p := filepath.Join(root, "bin", "hydra")
	if err := checkExecutable(p); err != nil {
		return "", fmt.Errorf("find hydra binary: %w; %s", err, buildHint)
	}
	return p, nil
}

// checkExecutable reports why path cannot be run, if it cannot.
func checkExecutable(path string) error {
	fi, err := os.Stat(path)
	if err != nil {
		return err
	}
	if fi.IsDir() || fi.Mode().Perm()&0o111 == 0 {
		return fmt.Errorf("%s is not an executable file", path)
	}
	return nil
}

// moduleRoot walks up from the working directory to the first directory
// that holds a go.mod.
func moduleRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("no go.mod above the working directory")
		}
		dir = parent
	}
}
