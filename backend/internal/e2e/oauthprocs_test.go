package e2e

import (
	"bytes"
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/plugboard/plugboard/backend/internal/hydratest"
	"github.com/plugboard/plugboard/backend/internal/store"
	"github.com/plugboard/plugboard/shared"
	"github.com/plugboard/plugboard/shared/api"
)

// TestOAuthTwoProcesses runs two Plugboard processes, built from this
// tree, on one database, as two instances behind a load balancer: a flow
// started on one finishes on the other, and fifty callers spread over
// both cause exactly one refresh at Hydra.
func TestOAuthTwoProcesses(t *testing.T) {
	bin := oauthBuildPlugboard(t)
	secrets := newOAuthSecrets()
	hydra := hydratest.Start(t, hydratest.WithCountingProxy(), hydratest.WithPKCEEnforced())
	db, err := store.StartEmbedded(t.Context(), t.TempDir(), slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatalf("start the shared database: %v", err)
	}
	t.Cleanup(db.Stop)

	key := make([]byte, 32)
	_, _ = rand.Read(key)
	apiKey := oauthRandom("pb_two_processes_")
	secrets.add("API key", apiKey)
	ports := []string{freePort(t), freePort(t)}
	public := "http://127.0.0.1:" + ports[0]
	env := []string{
		"MONGODB_URI=" + db.URI(),
		"PLUGBOARD_SECRET_KEY=" + base64.StdEncoding.EncodeToString(key),
		"PLUGBOARD_API_KEY=" + apiKey,
		"PLUGBOARD_ALLOW_HOSTS=127.0.0.1,localhost",
		"PLUGBOARD_PUBLIC_URL=" + public,
		"PLUGBOARD_LOG_LEVEL=debug",
	}
	// The first start creates the owner; the second finds it.
	a := oauthRunProcess(t, "A", bin, ports[0], env, secrets)
	b := oauthRunProcess(t, "B", bin, ports[1], env, secrets)

	client := hydra.CreateClient(t, hydratest.ClientSpec{
		RedirectURIs: []string{public + "/oauth/callback"},
		Scopes:       []string{"offline_access", "profile"},
	})
	secrets.add("client secret", client.Secret)
	hydra.SetLifespans(t, client.ID, oauthShortTTL, 0)
	tap := oauthNewTap(t, strings.TrimSuffix(hydra.TokenURL(), "/oauth2/token"), secrets)
	_, err = a.api.CreateService(t.Context(), shared.Service{
		ID: "hydra-shared", Name: "Hydra shared", AuthType: shared.AuthOAuth2,
		OAuth2: shared.OAuth2{
			AuthorizationURL: hydra.AuthURL(),
			TokenURL:         tap.URL + "/oauth2/token",
			RevocationURL:    tap.URL + "/oauth2/revoke",
			Scopes:           []shared.Scope{{Name: "offline_access"}, {Name: "profile"}},
			DefaultScopes:    []string{"offline_access", "profile"},
			ClientID:         client.ID, ClientSecret: client.Secret,
		},
	})
	if err != nil {
		t.Fatalf("create service on A: %v", err)
	}
	conn, err := b.api.CreateConnection(t.Context(), shared.ConnectionInput{Name: "Shared", ServiceID: "hydra-shared"})
	if err != nil {
		t.Fatalf("create connection on B: %v", err)
	}

	// A starts the flow; the provider's redirect reaches B.
	res, err := a.api.Authorize(t.Context(), conn.ID, nil)
	if err != nil {
		t.Fatalf("authorize on A: %v", err)
	}
	cb := hydra.Authorize(t, res.AuthorizeURL)
	secrets.add("state", cb.Query().Get("state"))
	secrets.add("authorization code", cb.Query().Get("code"))
	status, location := oauthDeliver(t, cb, b.url)
	oauthWantRedirect(t, status, location, "/connections/"+conn.ID+"?outcome=connected")
	c, err := a.api.GetConnection(t.Context(), conn.ID)
	if err != nil {
		t.Fatalf("get connection on A: %v", err)
	}
	if c.Status != shared.StatusConnected {
		t.Fatalf("status = %s (%s), want connected", c.Status, c.LastError)
	}
	old, _ := tap.latestTokens(t)

	hydra.SetLifespans(t, client.ID, oauthLongTTL, 0)
	refreshes := hydra.TokenRequests("refresh_token")
	oauthSleepUntilStale(c.TokenExpiresAt, oauthShortTTL)
	got, errs := oauthConcurrently(50, func(i int) (string, error) {
		p := []*oauthProcess{a, b}[i%2]
		tok, err := p.api.Token(t.Context(), conn.ID)
		if err != nil {
			return "", fmt.Errorf("instance %s: %w", p.name, err)
		}
		return tok.AccessToken, nil
	})

	oauthWantOneNewToken(t, got, errs, old, func(i int) string {
		return " (instance " + []string{"A", "B"}[i%2] + ")"
	})
	if n := hydra.TokenRequests("refresh_token") - refreshes; n != 1 {
		t.Errorf("Hydra counted %d refresh requests from 50 callers on two instances, want 1", n)
	}
	if n := len(tap.grants("refresh_token")); n != 1 {
		t.Errorf("refresh requests through the tap = %d, want 1", n)
	}
}

// oauthProcess is a Plugboard server running as its own process.
type oauthProcess struct {
	name string
	url  string
	api  *api.Client
	logs *logBuffer
}

// oauthRunProcess starts the binary listening on port with env, waits
// until it answers, and stops it when the test ends; its output is then
// searched for secrets.
func oauthRunProcess(t *testing.T, name, bin, port string, env []string, secrets *oauthSecrets) *oauthProcess {
	t.Helper()
	p := &oauthProcess{
		name: name,
		url:  "http://127.0.0.1:" + port,
		logs: &logBuffer{},
	}
	cmd := exec.Command(bin)
	cmd.Dir = moduleRoot(t)
	cmd.Env = append(os.Environ(), env...)
	cmd.Env = append(cmd.Env, "PLUGBOARD_ADDR=127.0.0.1:"+port, "PLUGBOARD_DATA_DIR="+t.TempDir())
	cmd.Stdout, cmd.Stderr = p.logs, p.logs
	if err := cmd.Start(); err != nil {
		t.Fatalf("start %s: %v", bin, err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	t.Cleanup(func() {
		_ = cmd.Process.Signal(os.Interrupt)
		select {
		case <-exited:
		case <-time.After(20 * time.Second):
			_ = cmd.Process.Kill()
			<-exited
			t.Errorf("instance %s did not stop within 20s", name)
		}
		if t.Failed() {
			t.Logf("output of the instance %s:\n%s", name, p.logs.Bytes())
		}
		if !bytes.Contains(p.logs.Bytes(), []byte("level=DEBUG")) {
			t.Errorf("instance %s logged no debug lines; the secret check would prove nothing", name)
		}
		secrets.assertAbsent(t, "the output of instance "+name, p.logs.Bytes())
	})

	var key string
	for _, e := range env {
		if v, ok := strings.CutPrefix(e, "PLUGBOARD_API_KEY="); ok {
			key = v
		}
	}
	p.api = api.New(p.url, api.WithAPIKey(key))
	deadline := time.Now().Add(30 * time.Second)
	for {
		select {
		case err := <-exited:
			t.Fatalf("instance %s exited: %v\n%s", name, err, p.logs.Bytes())
		default:
		}
		if h, err := p.api.Health(t.Context()); err == nil && h.Status == "ok" {
			return p
		}
		if time.Now().After(deadline) {
			t.Fatalf("instance %s did not answer within 30s:\n%s", name, p.logs.Bytes())
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// oauthBuildPlugboard builds the server command from this tree.
func oauthBuildPlugboard(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "plugboard")
	cmd := exec.CommandContext(t.Context(), "go", "build", "-o", bin, "./backend/cmd/plugboard")
	cmd.Dir = moduleRoot(t)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("build plugboard: %v\n%s", err, out)
	}
	return bin
}
