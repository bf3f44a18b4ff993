package hydratest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strconv"
	"sync"
	"testing"
	"time"
)

// Limits for bringing Hydra up.
const (
	launchAttempts = 3
	readyTimeout   = 30 * time.Second
	pollInterval   = 50 * time.Millisecond
)

// errExited reports that Hydra stopped before it was ready, most likely
// because another process took one of its ports first.
var errExited = errors.New("hydra exited before it was ready")

// launch starts Hydra on fresh ports and waits until it is ready. Ports are
// picked by binding and releasing them, so another process may take one in
// between; Hydra then exits and launch tries again with new ports.
func (s *Server) launch(t testing.TB, bin string, extraEnv []string) {
	t.Helper()
	for attempt := 1; ; attempt++ {
		err := s.launchOnce(t, bin, extraEnv)
		if err == nil {
			return
		}
		if !errors.Is(err, errExited) || attempt == launchAttempts {
			t.Fatalf("hydratest: start hydra: %v\nhydra output:\n%s", err, s.output)
		}
	}
}

// launchOnce makes one attempt at starting Hydra. On success it registers
// the cleanup that stops Hydra; on failure Hydra is already stopped.
func (s *Server) launchOnce(t testing.TB, bin string, extraEnv []string) error {
	publicPort, err := freePort()
	if err != nil {
		return err
	}
	adminPort, err := freePort()
	if err != nil {
		return err
	}
	s.publicURL = "http://127.0.0.1:" + publicPort
	s.adminURL = "http://127.0.0.1:" + adminPort

	cmd := exec.Command(bin, "serve", "all", "--dev", "--sqa-opt-out")
	cmd.Env = append(s.baseEnv(publicPort, adminPort), extraEnv...)
	cmd.Stdout = s.output
	cmd.Stderr = s.output
	cmd.SysProcAttr = sysProcAttr()
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("run %s: %w", bin, err)
	}
	exited := make(chan struct{})
	go func() {
		_ = cmd.Wait()
		close(exited)
	}()

	if err := s.waitReady(t.Context(), exited); err != nil {
		_ = cmd.Process.Kill()
		<-exited
		return err
	}
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		<-exited
		if t.Failed() {
			t.Logf("hydra output:\n%s", s.output)
		}
	})
	return nil
}

// baseEnv is Hydra's configuration. Only PATH, HOME and TMPDIR come from
// the test's own environment, so a developer's shell cannot change how
// Hydra behaves.
func (s *Server) baseEnv(publicPort, adminPort string) []string {
	var env []string
	for _, key := range []string{"PATH", "HOME", "TMPDIR"} {
		if v, ok := os.LookupEnv(key); ok {
			env = append(env, key+"="+v)
		}
	}
	return append(env,
		"DSN=memory",
		"SERVE_PUBLIC_HOST=127.0.0.1",
		"SERVE_PUBLIC_PORT="+publicPort,
		"SERVE_ADMIN_HOST=127.0.0.1",
		"SERVE_ADMIN_PORT="+adminPort,
		"URLS_SELF_ISSUER="+s.publicURL,
		"URLS_LOGIN="+s.ui.URL+loginPath,
		"URLS_CONSENT="+s.ui.URL+consentPath,
		"SECRETS_SYSTEM="+randomSecret(),
	)
}

// waitReady polls both APIs' readiness probes until they answer 200, Hydra
// exits, or readyTimeout passes.
func (s *Server) waitReady(ctx context.Context, exited <-chan struct{}) error {
	ctx, cancel := context.WithTimeout(ctx, readyTimeout)
	defer cancel()
	tick := time.NewTicker(pollInterval)
	defer tick.Stop()
	for {
		if s.ready(ctx, s.adminURL) && s.ready(ctx, s.publicURL) {
			return nil
		}
		select {
		case <-exited:
			return errExited
		case <-ctx.Done():
			return fmt.Errorf("hydra not ready after %v: %w", readyTimeout, ctx.Err())
		case <-tick.C:
		}
	}
}

// ready reports whether the API at base answers its readiness probe.
func (s *Server) ready(ctx context.Context, base string) bool {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, base+"/health/ready", nil)
	if err != nil {
		return false
	}
	resp, err := s.http.Do(req)
	if err != nil {
		return false
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, resp.Body)
	return resp.StatusCode == http.StatusOK
}

// warmKeys fetches the JSON Web Key Set once. Hydra makes its signing key
// on the first request for it, which takes a couple of seconds; doing it
// here keeps that delay out of the test's first token exchange.
func (s *Server) warmKeys(t testing.TB) {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), http.MethodGet,
		s.publicURL+"/.well-known/jwks.json", nil)
	if err != nil {
		t.Fatalf("hydratest: fetch jwks: %v", err)
	}
	resp, err := s.http.Do(req)
	if err != nil {
		t.Fatalf("hydratest: fetch jwks: %v", err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("hydratest: fetch jwks: status %d: %s", resp.StatusCode, body)
	}
}

// freePort returns a loopback TCP port that was free a moment ago.
func freePort() (string, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", fmt.Errorf("pick a free port: %w", err)
	}
	defer l.Close()
	return strconv.Itoa(l.Addr().(*net.TCPAddr).Port), nil
}

// syncBuffer collects Hydra's output, which its stdout and stderr copiers
// and the login app write from several goroutines.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

// Write appends p.
func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

// String returns everything written so far.
func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
