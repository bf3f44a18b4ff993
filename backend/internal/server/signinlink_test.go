package server_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/plugboard/plugboard/backend/internal/server"
	"github.com/plugboard/plugboard/shared"
)

// startNoticed starts a server on dir and returns it with what it told
// the person who started it.
func startNoticed(t *testing.T, dir string) (*server.Server, string) {
	t.Helper()
	var notice bytes.Buffer
	srv, err := server.Start(context.Background(), testConfig(dir), quietLog(), &notice)
	if err != nil {
		t.Fatalf("start: %v", err)
	}
	t.Cleanup(func() {
		if _, done := stopped.LoadOrStore(srv, true); !done {
			_ = srv.Shutdown(context.Background())
		}
	})
	return srv, notice.String()
}

// TestSignInLinkPolicy checks that a start prints a sign-in link only
// while no admin has a password, and that `plugboard signin-link` issues
// one afterwards, with the server stopped as the embedded database needs.
func TestSignInLinkPolicy(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()

	srv, notice := startNoticed(t, dir)
	key := srv.Boot.APIKey
	if tok := srv.Boot.LoginToken; tok == "" || !strings.Contains(notice, srv.URL()+"/signin#token="+tok) {
		t.Fatalf("first start: got notice %q, want the sign-in link with token %q", notice, tok)
	}
	stop(t, srv)

	srv, notice = startNoticed(t, dir)
	if srv.Boot.LoginToken == "" || !strings.Contains(notice, "#token="+srv.Boot.LoginToken) {
		t.Errorf("restart before a password is set: got notice %q, want a sign-in link", notice)
	}
	mustCall(t, srv, key, http.MethodPut, "/api/v1/account/password",
		obj{"new_password": "the admin's own password"}, http.StatusNoContent)
	stop(t, srv)

	srv, notice = startNoticed(t, dir)
	if srv.Boot.LoginToken != "" || strings.Contains(notice, "#token=") {
		t.Errorf("restart after the admin set a password: got notice %q and a token, want neither", notice)
	}
	for _, want := range []string{srv.URL() + "/signin", "username and password", "plugboard signin-link <username>"} {
		if !strings.Contains(notice, want) {
			t.Errorf("restart after the admin set a password: got notice %q, want it to say %q", notice, want)
		}
	}
	stop(t, srv)

	cfg := server.Config{DataDir: dir, PublicURL: "https://plugboard.example"}
	mistyped := server.Config{DataDir: t.TempDir() + "/elsewhere", PublicURL: cfg.PublicURL}
	if _, err := server.SignInLink(ctx, mistyped, quietLog(), "admin"); err == nil ||
		!strings.Contains(err.Error(), "no database") {
		t.Errorf("link from a folder without a database: got %v, want an error saying so", err)
	}
	if _, err := server.SignInLink(ctx, cfg, quietLog(), "nobody"); err == nil ||
		!strings.Contains(err.Error(), `"nobody"`) {
		t.Errorf("link for an unknown user: got %v, want an error naming the username", err)
	}
	link, err := server.SignInLink(ctx, cfg, quietLog(), "admin")
	if err != nil {
		t.Fatalf("signin-link: %v", err)
	}
	const prefix = "https://plugboard.example/signin#token="
	if !strings.HasPrefix(link, prefix) {
		t.Fatalf("got link %q, want it to start with %q", link, prefix)
	}
	token, _ := url.QueryUnescape(strings.TrimPrefix(link, prefix))

	srv, _ = startNoticed(t, dir)
	signIn := obj{"login_token": token}
	mustCall(t, srv, "", http.MethodPost, "/api/v1/session", signIn, http.StatusOK)
	mustCall(t, srv, "", http.MethodPost, "/api/v1/session", signIn, http.StatusUnauthorized)

	var trail struct {
		Entries []shared.AuditEntry `json:"entries"`
	}
	body := mustCall(t, srv, key, http.MethodGet, "/api/v1/audit?action=user_changed", nil, http.StatusOK)
	if err := json.Unmarshal(body, &trail); err != nil {
		t.Fatal(err)
	}
	issued := 0
	for _, e := range trail.Entries {
		if strings.Contains(e.Detail, "sign-in link issued") && e.TargetName == "admin" && e.ActorName == "system" {
			issued++
		}
	}
	if issued != 1 {
		t.Errorf("got entries %+v, want one saying the system issued a sign-in link for admin", trail.Entries)
	}
}
