package server_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/plugboard/plugboard/backend/internal/server"
)

func newKey(t *testing.T) string {
	t.Helper()
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return base64.StdEncoding.EncodeToString(b)
}

// TestKeyRotation seals data under key A, makes B primary with A still
// accepted, re-seals, and then runs on B alone; A alone is refused.
func TestKeyRotation(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	keyA, keyB := newKey(t), newKey(t)
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	const secret = "rotation-client-secret-4f1c"
	start := func(keys string) (*server.Server, error) {
		return server.Start(ctx, server.Config{Addr: "127.0.0.1:0", DataDir: dir,
			SecretKey: keys, APIKey: "pb_key_rotation_test_key_0001"}, log, nil)
	}
	stop := func(s *server.Server) {
		if err := s.Shutdown(ctx); err != nil {
			t.Fatal(err)
		}
	}
	call := func(s *server.Server, method, path, body string) (int, string) {
		req, _ := http.NewRequest(method, s.URL()+path, strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer pb_key_rotation_test_key_0001")
		req.Header.Set("Content-Type", "application/json")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}

	s, err := start(keyA)
	if err != nil {
		t.Fatalf("start with A: %v", err)
	}
	status, body := call(s, "POST", "/api/v1/services", `{"name":"Rotating","auth_type":"oauth2",
		"authorization_url":"https://auth.example.com/authorize","token_url":"https://auth.example.com/token",
		"client_id":"cid","client_secret":"`+secret+`"}`)
	if status != http.StatusCreated {
		t.Fatalf("create service: got %d %s, want 201", status, body)
	}
	stop(s)

	s, err = start(keyB + "," + keyA)
	if err != nil {
		t.Fatalf("start with B,A: %v", err)
	}
	stop(s)
	rep, err := server.Reseal(ctx, server.Config{DataDir: dir, SecretKey: keyB + "," + keyA}, log)
	if err != nil {
		t.Fatalf("reseal: %v", err)
	}
	if rep.Services != 1 {
		t.Errorf("re-sealed services: got %d, want 1", rep.Services)
	}

	s, err = start(keyB)
	if err != nil {
		t.Fatalf("start with B alone after reseal: %v", err)
	}
	// The secret still opens: patching another field re-reads and keeps it.
	status, body = call(s, "PATCH", "/api/v1/services/rotating", `{"name":"Rotated"}`)
	var got struct {
		ClientSecretSet bool `json:"client_secret_set"`
	}
	_ = json.Unmarshal([]byte(body), &got)
	if status != http.StatusOK || !got.ClientSecretSet {
		t.Fatalf("patch after rotation: got %d %s, want 200 with client_secret_set", status, body)
	}
	stop(s)

	if s, err := start(keyA); err == nil {
		stop(s)
		t.Fatal("start with the retired key A: got no error, want a refusal")
	} else if !strings.Contains(err.Error(), "cannot open") {
		t.Errorf("start with A: got %v, want an error saying the key cannot open the data", err)
	}

	// Nowhere in the database files is the secret in plain text.
	err = filepath.Walk(filepath.Join(dir, "db"), func(p string, fi os.FileInfo, err error) error {
		if err != nil || fi.IsDir() {
			return err
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		if bytes.Contains(b, []byte(secret)) {
			t.Errorf("%s holds the client secret in plain text", p)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
