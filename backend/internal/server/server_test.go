package server_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"io"
	"io/fs"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/plugboard/plugboard/backend/internal/server"
)

// testConfig is a server on a free port over the embedded database in dir.
func testConfig(dir string) server.Config {
	return server.Config{Addr: "127.0.0.1:0", DataDir: dir, AllowHosts: "127.0.0.1,localhost"}
}

func quietLog() *slog.Logger {
	return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelError}))
}

// stopped records the servers a test already shut down: Shutdown may be
// called only once.
var stopped sync.Map

// mustStart starts a server and stops it when the test ends, unless the
// test stops it first.
func mustStart(t *testing.T, cfg server.Config) *server.Server {
	t.Helper()
	srv, err := server.Start(context.Background(), cfg, quietLog(), io.Discard)
	if err != nil {
		t.Fatalf("start: %v", err)
	}
	t.Cleanup(func() {
		if _, done := stopped.LoadOrStore(srv, true); !done {
			_ = srv.Shutdown(context.Background())
		}
	})
	return srv
}

// stop shuts a server down, failing the test if that fails.
func stop(t *testing.T, srv *server.Server) {
	t.Helper()
	if _, done := stopped.LoadOrStore(srv, true); done {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if err := srv.Shutdown(ctx); err != nil {
		t.Fatalf("shut down: %v", err)
	}
}

// randomSealKey returns a fresh PLUGBOARD_SECRET_KEY value.
func randomSealKey(t *testing.T) string {
	t.Helper()
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return base64.StdEncoding.EncodeToString(b)
}

// apiCall sends one request with key as the Bearer token and returns the
// status and body.
func apiCall(t *testing.T, srv *server.Server, key, method, path string, body any) (int, []byte) {
	t.Helper()
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			t.Fatal(err)
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, srv.URL()+path, rd)
	if err != nil {
		t.Fatal(err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if key != "" {
		req.Header.Set("Authorization", "Bearer "+key)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	out, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, out
}

// mustCall is apiCall that fails the test unless the status is want.
func mustCall(t *testing.T, srv *server.Server, key, method, path string, body any, want int) []byte {
	t.Helper()
	got, out := apiCall(t, srv, key, method, path, body)
	if got != want {
		t.Fatalf("%s %s: got status %d, want %d; body %s", method, path, got, want, out)
	}
	return out
}

type obj = map[string]any

// customOAuth is a custom OAuth 2.0 service with a client secret.
func customOAuth(id, clientID, secret string) obj {
	return obj{
		"id": id, "name": "Docs " + id, "auth_type": "oauth2",
		"authorization_url": "https://docs.example/authorize",
		"token_url":         "https://docs.example/token",
		"scopes":            []obj{{"name": "read"}, {"name": "write"}},
		"default_scopes":    []string{"read"},
		"client_id":         clientID, "client_secret": secret,
	}
}

// customBasic is a custom Basic Auth service without a verification
// request, so authorizing it needs no network.
func customBasic(id string) obj {
	return obj{
		"id": id, "name": "Shop " + id, "auth_type": "basic",
		"api_base_url": "https://shop.example/api",
		"params": []obj{
			{"name": "user", "in": "username", "required": true},
			{"name": "pass", "in": "password", "secret": true},
		},
	}
}

// readState reads what the first owner sees, in a form to compare.
func readState(t *testing.T, srv *server.Server, key string, paths ...string) map[string]string {
	t.Helper()
	out := map[string]string{}
	for _, p := range paths {
		out[p] = string(mustCall(t, srv, key, http.MethodGet, p, nil, http.StatusOK))
	}
	return out
}

func TestRestartKeepsData(t *testing.T) {
	dir := t.TempDir()
	srv := mustStart(t, testConfig(dir))
	key := srv.Boot.APIKey
	if key == "" || !srv.Boot.FirstStart {
		t.Fatalf("got key %q first start %v, want a new key on the first start", key, srv.Boot.FirstStart)
	}

	mustCall(t, srv, key, http.MethodPost, "/api/v1/services", customOAuth("docs", "docs-client", "docs-secret"), 201)
	mustCall(t, srv, key, http.MethodPost, "/api/v1/services", customBasic("shop"), 201)
	mustCall(t, srv, key, http.MethodPatch, "/api/v1/services/github", obj{"client_id": "gh-app", "client_secret": "gh-secret"}, 200)
	mustCall(t, srv, key, http.MethodPost, "/api/v1/connections", obj{"name": "Docs", "service_id": "docs", "scopes": []string{"read", "write"}}, 201)
	mustCall(t, srv, key, http.MethodPatch, "/api/v1/connections/docs", obj{"name": "Team docs"}, 200)
	mustCall(t, srv, key, http.MethodPost, "/api/v1/connections", obj{"name": "Shop", "service_id": "shop"}, 201)
	mustCall(t, srv, key, http.MethodPost, "/api/v1/connections/shop/authorize", obj{"params": obj{"user": "ann", "pass": "pw"}}, 200)
	otherID, otherKey, err := srv.CreateOwner(context.Background(), "second")
	if err != nil {
		t.Fatal(err)
	}
	mustCall(t, srv, otherKey, http.MethodPost, "/api/v1/services", customBasic("shop"), 201)

	paths := []string{
		"/api/v1/services", "/api/v1/services/docs", "/api/v1/services/shop", "/api/v1/services/github",
		"/api/v1/connections", "/api/v1/connections/docs", "/api/v1/connections/shop",
		"/api/v1/connections/docs/events", "/api/v1/connections/shop/events",
	}
	before := readState(t, srv, key, paths...)
	otherBefore := readState(t, srv, otherKey, "/api/v1/services/shop", "/api/v1/connections")
	stop(t, srv)

	again := mustStart(t, testConfig(dir))
	if again.Boot.APIKey != "" || again.Boot.FirstStart {
		t.Errorf("got key %q first start %v on restart, want no new key", again.Boot.APIKey, again.Boot.FirstStart)
	}
	if again.Boot.LoginToken == "" {
		t.Errorf("got no sign-in token on restart, want a fresh one")
	}
	after := readState(t, again, key, paths...)
	for _, p := range paths {
		if before[p] != after[p] {
			t.Errorf("GET %s after restart:\n got %s\nwant %s", p, after[p], before[p])
		}
	}
	otherAfter := readState(t, again, otherKey, "/api/v1/services/shop", "/api/v1/connections")
	for p, want := range otherBefore {
		if otherAfter[p] != want {
			t.Errorf("second owner %s, GET %s after restart:\n got %s\nwant %s", otherID, p, otherAfter[p], want)
		}
	}

	var docs struct {
		ClientSecretSet bool `json:"client_secret_set"`
	}
	if err := json.Unmarshal([]byte(after["/api/v1/services/docs"]), &docs); err != nil || !docs.ClientSecretSet {
		t.Errorf("got client_secret_set %v (%v) after restart, want true", docs.ClientSecretSet, err)
	}
	// The sealed secrets still open: writing the service re-reads them.
	mustCall(t, again, key, http.MethodPatch, "/api/v1/services/docs", obj{"description": "after restart"}, 200)
	// Unique link names are still enforced after the indexes were
	// created a second time.
	status, _ := apiCall(t, again, key, http.MethodPost, "/api/v1/connections",
		obj{"name": "x", "link_name": "docs", "service_id": "docs"})
	if status != http.StatusConflict {
		t.Errorf("got status %d for a taken link name after restart, want 409", status)
	}
	mustCall(t, again, key, http.MethodDelete, "/api/v1/connections/shop", nil, 204)
}

func TestRefusesKeysThatCannotOpenTheData(t *testing.T) {
	dir := t.TempDir()
	first := randomSealKey(t)
	cfg := testConfig(dir)
	cfg.SecretKey = first
	srv := mustStart(t, cfg)
	mustCall(t, srv, srv.Boot.APIKey, http.MethodPost, "/api/v1/services", customOAuth("docs", "c", "s"), 201)
	stop(t, srv)

	tests := []struct {
		name string
		key  string
		ok   bool
	}{
		{name: "another key", key: randomSealKey(t)},
		{name: "no key, so a new key file", key: ""},
		{name: "the same key", key: first, ok: true},
		{name: "a new primary key with the old one kept", key: randomSealKey(t) + "," + first, ok: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := testConfig(dir)
			cfg.SecretKey = tt.key
			srv, err := server.Start(context.Background(), cfg, quietLog(), io.Discard)
			if !tt.ok {
				if err == nil {
					_ = srv.Shutdown(context.Background())
					t.Fatal("got a running server, want a refusal")
				}
				if msg := err.Error(); !strings.Contains(msg, "cannot open the data") ||
					!strings.Contains(msg, "PLUGBOARD_SECRET_KEY") {
					t.Errorf("got error %q, want one that says the key cannot open the data and names PLUGBOARD_SECRET_KEY", msg)
				}
				return
			}
			if err != nil {
				t.Fatalf("got %v, want the server to start", err)
			}
			stop(t, srv)
		})
	}
}

func TestRefusesBadConfig(t *testing.T) {
	tests := []struct {
		name string
		edit func(*server.Config)
		want string
	}{
		{name: "secret key not base64", edit: func(c *server.Config) { c.SecretKey = "not a key!" }, want: "PLUGBOARD_SECRET_KEY"},
		{name: "secret key too short", edit: func(c *server.Config) {
			c.SecretKey = base64.StdEncoding.EncodeToString([]byte("short"))
		}, want: "PLUGBOARD_SECRET_KEY"},
		{name: "public URL with a path", edit: func(c *server.Config) { c.PublicURL = "https://pb.example/app" }, want: "PLUGBOARD_PUBLIC_URL"},
		{name: "public URL not http", edit: func(c *server.Config) { c.PublicURL = "ftp://pb.example" }, want: "PLUGBOARD_PUBLIC_URL"},
		{name: "log level", edit: func(c *server.Config) { c.LogLevel = "loud" }, want: "PLUGBOARD_LOG_LEVEL"},
		{name: "API key too short", edit: func(c *server.Config) { c.APIKey = "short" }, want: "PLUGBOARD_API_KEY"},
		{name: "listen address invalid", edit: func(c *server.Config) { c.Addr = "256.0.0.1:1" }, want: "listen"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := testConfig(t.TempDir())
			tt.edit(&cfg)
			srv, err := server.Start(context.Background(), cfg, quietLog(), io.Discard)
			if err == nil {
				_ = srv.Shutdown(context.Background())
				t.Fatalf("got a running server, want an error naming %s", tt.want)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("got error %q, want one naming %s", err, tt.want)
			}
			if strings.Contains(err.Error(), cfg.SecretKey) && cfg.SecretKey != "" {
				t.Errorf("got error %q, want it without the key given", err)
			}
		})
	}
}

func TestPresetAPIKey(t *testing.T) {
	dir := t.TempDir()
	const preset = "pb_key_preset_for_tests_0123456789"

	t.Run("too short is refused and leaves nothing behind", func(t *testing.T) {
		cfg := testConfig(dir)
		cfg.APIKey = "short"
		if srv, err := server.Start(context.Background(), cfg, quietLog(), io.Discard); err == nil {
			_ = srv.Shutdown(context.Background())
			t.Fatal("got a running server, want a refusal")
		}
	})

	t.Run("becomes the first owner's key", func(t *testing.T) {
		cfg := testConfig(dir)
		cfg.APIKey = preset
		srv := mustStart(t, cfg)
		if srv.Boot.APIKey != "" || !srv.Boot.FirstStart {
			t.Errorf("got key %q first start %v, want no generated key on the first start", srv.Boot.APIKey, srv.Boot.FirstStart)
		}
		mustCall(t, srv, preset, http.MethodGet, "/api/v1/connections", nil, 200)
		stop(t, srv)
	})

	t.Run("works after a restart without it", func(t *testing.T) {
		srv := mustStart(t, testConfig(dir))
		mustCall(t, srv, preset, http.MethodGet, "/api/v1/connections", nil, 200)
		stop(t, srv)
	})
}

func TestKeyFile(t *testing.T) {
	dir := t.TempDir()
	srv := mustStart(t, testConfig(dir))
	stop(t, srv)
	fi, err := os.Stat(filepath.Join(dir, "secret.key"))
	if err != nil {
		t.Fatalf("got %v, want a key file in the data folder", err)
	}
	if perm := fi.Mode().Perm(); perm != 0o600 {
		t.Errorf("got key file mode %o, want 600", perm)
	}
}

// TestSecretsAtRest stores a client secret, connection credentials and
// API keys, stops the server, and reads every file in the data folder: no
// secret may be there in plain text (or in base64), and of the API keys
// only their hashes.
func TestSecretsAtRest(t *testing.T) {
	dir := t.TempDir()
	srv := mustStart(t, testConfig(dir))
	key := srv.Boot.APIKey
	_, otherKey, err := srv.CreateOwner(context.Background(), "second")
	if err != nil {
		t.Fatal(err)
	}
	const (
		clientID      = "visible-client-id-7d2e"
		clientSecret  = "client-secret-value-9b1f"
		patchedSecret = "patched-secret-value-3c8a"
		builtinSecret = "builtin-secret-value-5e0d"
		password      = "basic-password-value-1a6c"
	)
	mustCall(t, srv, key, http.MethodPost, "/api/v1/services", customOAuth("docs", clientID, clientSecret), 201)
	mustCall(t, srv, key, http.MethodPost, "/api/v1/services", customOAuth("docs2", clientID, "x-"+clientSecret), 201)
	mustCall(t, srv, key, http.MethodPatch, "/api/v1/services/docs2", obj{"client_secret": patchedSecret}, 200)
	mustCall(t, srv, key, http.MethodPatch, "/api/v1/services/github", obj{"client_id": clientID, "client_secret": builtinSecret}, 200)
	mustCall(t, srv, key, http.MethodPost, "/api/v1/services", customBasic("shop"), 201)
	mustCall(t, srv, key, http.MethodPost, "/api/v1/connections", obj{"name": "Shop", "service_id": "shop"}, 201)
	mustCall(t, srv, key, http.MethodPost, "/api/v1/connections/shop/authorize", obj{"params": obj{"user": "ann", "pass": password}}, 200)
	login := srv.Boot.LoginToken
	stop(t, srv)

	files := readDataFiles(t, filepath.Join(dir, "db"))
	present := []string{clientID, "Docs docs2", hashOf(key), hashOf(otherKey)}
	for _, s := range present {
		if containsAny(files, s) == "" {
			t.Fatalf("got no %q in the stored files, want it there (the scan must see what is stored)", s)
		}
	}
	absent := []string{clientSecret, patchedSecret, builtinSecret, password, key, otherKey, login}
	for _, s := range absent {
		for _, form := range []string{s, base64.StdEncoding.EncodeToString([]byte(s)), hex.EncodeToString([]byte(s))} {
			if name := containsAny(files, form); name != "" {
				t.Errorf("got %q in plain text in %s, want it sealed or hashed", s, name)
			}
		}
	}
}

// readDataFiles reads every file under dir, by path.
func readDataFiles(t *testing.T, dir string) map[string][]byte {
	t.Helper()
	out := map[string][]byte{}
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(path)
		out[path] = b
		return err
	})
	if err != nil || len(out) == 0 {
		t.Fatalf("read data files: got %d files, %v", len(out), err)
	}
	return out
}

// containsAny returns the name of a file that holds s, or "".
func containsAny(files map[string][]byte, s string) string {
	for name, b := range files {
		if bytes.Contains(b, []byte(s)) {
			return name
		}
	}
	return ""
}

func hashOf(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}

func TestShutdownTwice(t *testing.T) {
	srv := mustStart(t, testConfig(t.TempDir()))
	stop(t, srv)
	done := make(chan error, 1)
	go func() { done <- srv.Shutdown(context.Background()) }()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("got no return from a second Shutdown, want it to return at once")
	}
}

// TestHTTPSPublicURL checks what a server behind TLS adds: a Secure
// session cookie and HSTS. It is reached at its listen address, as a
// TLS-terminating proxy would reach it.
func TestHTTPSPublicURL(t *testing.T) {
	cfg := testConfig(t.TempDir())
	cfg.PublicURL = "https://plugboard.example"
	srv := mustStart(t, cfg)

	body := strings.NewReader(`{"api_key": "` + srv.Boot.APIKey + `"}`)
	resp, err := http.Post("http://"+srv.Addr()+"/api/v1/session", "application/json", body)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("got status %d, want 200", resp.StatusCode)
	}
	var secure bool
	for _, c := range resp.Cookies() {
		secure = secure || c.Name == "pb_session" && c.Secure && c.HttpOnly
	}
	if !secure {
		t.Errorf("got Set-Cookie %q, want a Secure, HttpOnly pb_session", resp.Header.Values("Set-Cookie"))
	}
	if got := resp.Header.Get("Strict-Transport-Security"); !strings.Contains(got, "max-age=") {
		t.Errorf("got Strict-Transport-Security %q, want a max-age", got)
	}

	var meta struct {
		CallbackURL string `json:"callback_url"`
	}
	req, _ := http.NewRequest(http.MethodGet, "http://"+srv.Addr()+"/api/v1/meta", nil)
	req.Header.Set("Authorization", "Bearer "+srv.Boot.APIKey)
	resp, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if err := json.NewDecoder(resp.Body).Decode(&meta); err != nil {
		t.Fatal(err)
	}
	if want := "https://plugboard.example/oauth/callback"; meta.CallbackURL != want {
		t.Errorf("got callback URL %q, want %q", meta.CallbackURL, want)
	}
}
