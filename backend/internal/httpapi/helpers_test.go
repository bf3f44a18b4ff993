package httpapi_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/plugboard/plugboard/backend/internal/server"
	"github.com/plugboard/plugboard/shared"
)

// env is the server every test in this package talks to: one embedded
// FerretDB and one HTTP server, started once. Tests stay independent by
// creating their own services and connections under unique names.
var env struct {
	srv *server.Server
	url string
	// key is the first owner's API key; ownerID its id.
	key     string
	ownerID string
	// otherKey belongs to a second owner, otherID.
	otherKey string
	otherID  string
	dataDir  string
}

func TestMain(m *testing.M) {
	os.Exit(run(m))
}

func run(m *testing.M) int {
	dir, err := os.MkdirTemp("", "plugboard-httpapi-")
	if err != nil {
		fmt.Fprintln(os.Stderr, "make data folder:", err)
		return 1
	}
	defer os.RemoveAll(dir)

	ctx := context.Background()
	// Server faults (answers of 500) are logged at ERROR: show them.
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelError}))
	srv, err := server.Start(ctx, server.Config{
		Addr: "127.0.0.1:0", DataDir: dir, AllowHosts: "127.0.0.1,localhost",
	}, log, io.Discard)
	if err != nil {
		fmt.Fprintln(os.Stderr, "start server:", err)
		return 1
	}
	defer func() {
		sctx, cancel := context.WithTimeout(ctx, 10*time.Second)
		defer cancel()
		_ = srv.Shutdown(sctx)
	}()

	env.srv, env.url, env.key, env.dataDir = srv, srv.URL(), srv.Boot.APIKey, dir
	env.otherID, env.otherKey, err = srv.CreateOwner(ctx, "second")
	if err != nil {
		fmt.Fprintln(os.Stderr, "create second owner:", err)
		return 1
	}
	if env.ownerID, err = ownerOf(env.key); err != nil {
		fmt.Fprintln(os.Stderr, "find first owner:", err)
		return 1
	}
	return m.Run()
}

// ownerOf asks the server whose key this is.
func ownerOf(key string) (string, error) {
	req, err := http.NewRequest(http.MethodGet, env.url+"/api/v1/session", nil)
	if err != nil {
		return "", err
	}
	req.Header.Set("Authorization", "Bearer "+key)
	resp, err := client.Do(req)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	var s struct {
		User struct {
			ID string `json:"id"`
		} `json:"user"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&s); err != nil || s.User.ID == "" {
		return "", fmt.Errorf("GET /api/v1/session: status %d, user %q, %v", resp.StatusCode, s.User.ID, err)
	}
	return s.User.ID, nil
}

// client never follows redirects and keeps no cookies: tests set them.
var client = &http.Client{
	Timeout: 30 * time.Second,
	CheckRedirect: func(*http.Request, []*http.Request) error {
		return http.ErrUseLastResponse
	},
}

// reply is an answer read in full.
type reply struct {
	method, path string
	status       int
	header       http.Header
	body         []byte
}

func (r reply) String() string {
	return fmt.Sprintf("%s %s: %d %s", r.method, r.path, r.status, r.body)
}

// raw is a request body sent as it is, without JSON encoding.
type raw string

// request describes one call to the API.
type request struct {
	method, path string
	// key is sent as a Bearer token when set.
	key string
	// body is JSON-encoded, unless it is a raw.
	body any
	// contentType replaces application/json.
	contentType string
	header      map[string]string
	cookies     []*http.Cookie
}

// call sends a request with an API key and, when body is not nil, a JSON
// body.
func call(t *testing.T, method, path, key string, body any) reply {
	t.Helper()
	return send(t, request{method: method, path: path, key: key, body: body})
}

func send(t *testing.T, rq request) reply {
	t.Helper()
	var rd io.Reader
	if rq.body != nil {
		b, ok := rq.body.(raw)
		if !ok {
			enc, err := json.Marshal(rq.body)
			if err != nil {
				t.Fatalf("encode body: %v", err)
			}
			b = raw(enc)
		}
		rd = strings.NewReader(string(b))
	}
	req, err := http.NewRequest(rq.method, env.url+rq.path, rd)
	if err != nil {
		t.Fatalf("new request: %v", err)
	}
	if rq.body != nil {
		ct := rq.contentType
		if ct == "" {
			ct = "application/json"
		}
		req.Header.Set("Content-Type", ct)
	}
	if rq.key != "" {
		req.Header.Set("Authorization", "Bearer "+rq.key)
	}
	for k, v := range rq.header {
		req.Header.Set(k, v)
	}
	for _, c := range rq.cookies {
		req.AddCookie(c)
	}
	resp, err := client.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", rq.method, rq.path, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("%s %s: read body: %v", rq.method, rq.path, err)
	}
	return reply{method: rq.method, path: rq.path, status: resp.StatusCode, header: resp.Header, body: body}
}

// decodeAs decodes a reply's JSON body.
func decodeAs[T any](t *testing.T, r reply) T {
	t.Helper()
	var v T
	if err := json.Unmarshal(r.body, &v); err != nil {
		t.Fatalf("%s: decode body: %v", r, err)
	}
	return v
}

// wantStatus fails the test unless r has the given status.
func wantStatus(t *testing.T, r reply, want int) {
	t.Helper()
	if r.status != want {
		t.Fatalf("%s %s: got status %d, want %d; body %s", r.method, r.path, r.status, want, r.body)
	}
}

// wantProblem checks that r is an RFC 9457 problem document with the
// given status and code, complete with type, title and, for validation
// failures, the invalid fields. It returns the document.
func wantProblem(t *testing.T, r reply, status int, code shared.Code) shared.Problem {
	t.Helper()
	if r.status >= 500 {
		t.Fatalf("%s: got a server error, want %d %s", r, status, code)
	}
	if got := r.header.Get("Content-Type"); !strings.HasPrefix(got, shared.ProblemContentType) {
		t.Errorf("%s %s: got Content-Type %q, want %q", r.method, r.path, got, shared.ProblemContentType)
	}
	p := decodeAs[shared.Problem](t, r)
	if r.status != status || p.Code != code {
		t.Fatalf("%s: got %d %s, want %d %s", r, r.status, p.Code, status, code)
	}
	if p.Status != status {
		t.Errorf("%s %s: got problem status %d, want %d", r.method, r.path, p.Status, status)
	}
	if want := shared.ProblemTypeBase + string(code); p.Type != want {
		t.Errorf("%s %s: got type %q, want %q", r.method, r.path, p.Type, want)
	}
	if p.Title == "" {
		t.Errorf("%s %s: got an empty title, want one", r.method, r.path)
	}
	if code == shared.CodeValidation && len(p.Errors) == 0 {
		t.Errorf("%s %s: got no field errors, want at least one", r.method, r.path)
	}
	return p
}

// hasFieldError reports whether p lists an error about field.
func hasFieldError(p shared.Problem, field string) bool {
	for _, e := range p.Errors {
		if e.Field == field || strings.HasPrefix(e.Field, field+".") || strings.HasPrefix(e.Field, field+"[") {
			return true
		}
	}
	return false
}

var counter atomic.Int64

// unique returns prefix with a number no other call returns.
func unique(prefix string) string {
	return fmt.Sprintf("%s%d", prefix, counter.Add(1))
}

// obj is a JSON object to send.
type obj = map[string]any

// basicService is a custom Basic Auth service whose URLs hold a
// {subdomain} placeholder, given when a connection is created.
func basicService(id string) obj {
	return obj{
		"id":           id,
		"name":         "Shop " + id,
		"auth_type":    "basic",
		"description":  "A test shop.",
		"categories":   []string{"Testing"},
		"api_base_url": "https://{subdomain}.shop.example/api",
		"params": []obj{
			{"name": "user", "display_name": "User name", "in": "username", "required": true},
			{"name": "pass", "display_name": "Password", "in": "password", "secret": true},
			{"name": "subdomain", "display_name": "Shop name", "in": "placeholder",
				"required": true, "pattern": "[a-z0-9-]+"},
			{"name": "region", "display_name": "Region", "in": "placeholder",
				"options": []string{"eu", "us"}, "default": "eu"},
		},
	}
}

// oauthService is a custom OAuth 2.0 service with three scopes, one of
// them requested by default, and client credentials.
func oauthService(id, secret string) obj {
	return obj{
		"id":                id,
		"name":              "Docs " + id,
		"auth_type":         "oauth2",
		"api_base_url":      "https://api.docs.example",
		"authorization_url": "https://docs.example/oauth/authorize",
		"token_url":         "https://docs.example/oauth/token",
		"scopes": []obj{
			{"name": "read", "description": "Read documents"},
			{"name": "write", "description": "Change documents"},
			{"name": "admin", "description": "Manage the account"},
		},
		"default_scopes": []string{"read"},
		"client_id":      "client-" + id,
		"client_secret":  secret,
	}
}

// createService creates a custom service for the owner of key.
func createService(t *testing.T, key string, def obj) shared.Service {
	t.Helper()
	r := call(t, http.MethodPost, "/api/v1/services", key, def)
	wantStatus(t, r, http.StatusCreated)
	return decodeAs[shared.Service](t, r)
}

// createConnection creates a connection for the owner of key.
func createConnection(t *testing.T, key string, in obj) shared.Connection {
	t.Helper()
	r := call(t, http.MethodPost, "/api/v1/connections", key, in)
	wantStatus(t, r, http.StatusCreated)
	return decodeAs[shared.Connection](t, r)
}

// fixture is a custom service with one connection to it.
type fixture struct {
	svc  shared.Service
	conn shared.Connection
}

// newFixture creates a Basic Auth service and a connection to it for the
// owner of key.
func newFixture(t *testing.T, key string) fixture {
	t.Helper()
	svc := createService(t, key, basicService(unique("shop-")))
	conn := createConnection(t, key, obj{
		"name": unique("Shop "), "service_id": svc.ID,
		"config": obj{"subdomain": "acme"},
	})
	return fixture{svc: svc, conn: conn}
}

// snapshot reads what the owner of key can see of f, and both lists, as
// the API answers them; two snapshots are equal when nothing changed.
func snapshot(t *testing.T, key string, f fixture) string {
	t.Helper()
	var b bytes.Buffer
	for _, p := range []string{
		"/api/v1/services",
		"/api/v1/services/" + f.svc.ID,
		"/api/v1/services/github",
		"/api/v1/connections",
		"/api/v1/connections/" + f.conn.ID,
		"/api/v1/connections/" + f.conn.ID + "/events",
	} {
		r := call(t, http.MethodGet, p, key, nil)
		fmt.Fprintf(&b, "%s %d\n%s\n", p, r.status, r.body)
	}
	return b.String()
}

// wantUnchanged fails the test when the stored data differs from before.
func wantUnchanged(t *testing.T, before, after string) {
	t.Helper()
	if before != after {
		t.Errorf("stored data changed:\n got %s\nwant %s", after, before)
	}
}
