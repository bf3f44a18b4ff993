package api

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"reflect"
	"testing"
	"time"

	"github.com/plugboard/plugboard/shared"
)

const (
	testKey  = "pb_test_key"
	testCSRF = "csrf-123"
)

// fakeServer implements a few routes of CONTRACT.md by hand, with the
// contract's shapes, and records the last request it saw.
type fakeServer struct {
	t    *testing.T
	last *http.Request
	body []byte
}

func newFakeServer(t *testing.T) *httptest.Server {
	f := &fakeServer{t: t}
	srv := httptest.NewServer(f.routes())
	t.Cleanup(srv.Close)
	return srv
}

func (f *fakeServer) routes() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /api/v1/session", f.signIn)
	mux.HandleFunc("GET /api/v1/session", f.session)
	mux.HandleFunc("GET /api/v1/connections", f.authed(f.listConnections))
	mux.HandleFunc("POST /api/v1/connections", f.authed(f.createConnection))
	mux.HandleFunc("GET /api/v1/connections/{ref}", f.authed(f.getConnection))
	mux.HandleFunc("POST /api/v1/connections/{ref}/authorize", f.authed(f.authorize))
	mux.HandleFunc("POST /api/v1/connections/{ref}/revoke", f.authed(f.revoke))
	mux.HandleFunc("PATCH /api/v1/services/{id}", f.authed(f.patchService))
	mux.HandleFunc("GET /api/v1/meta", func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "<html>bad gateway</html>", http.StatusBadGateway)
	})
	mux.HandleFunc("/api/v1/connections/{ref}/proxy/", f.authed(f.proxy))
	return mux
}

// authed lets through requests with the API key, or with the session
// cookie and, when they change something, the CSRF token.
func (f *fakeServer) authed(next http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		f.last = r
		f.body, _ = io.ReadAll(r.Body)
		if r.Header.Get("Authorization") == "Bearer "+testKey {
			next(w, r)
			return
		}
		if _, err := r.Cookie("pb_session"); err != nil {
			problem(w, http.StatusUnauthorized, shared.CodeUnauthorized, "sign in first", nil)
			return
		}
		if r.Method != http.MethodGet && r.Header.Get("X-CSRF-Token") != testCSRF {
			problem(w, http.StatusForbidden, shared.CodeForbidden, "missing CSRF token", nil)
			return
		}
		next(w, r)
	}
}

func (f *fakeServer) signIn(w http.ResponseWriter, r *http.Request) {
	var in SignInRequest
	if err := json.NewDecoder(r.Body).Decode(&in); err != nil || in.LoginToken != "tok" {
		problem(w, http.StatusUnauthorized, shared.CodeUnauthorized, "unknown token", nil)
		return
	}
	http.SetCookie(w, &http.Cookie{Name: "pb_session", Value: "s1", Path: "/", HttpOnly: true})
	writeJSON(w, http.StatusOK, sessionBody())
}

func (f *fakeServer) session(w http.ResponseWriter, r *http.Request) {
	if _, err := r.Cookie("pb_session"); err != nil {
		problem(w, http.StatusUnauthorized, shared.CodeUnauthorized, "no session", nil)
		return
	}
	writeJSON(w, http.StatusOK, sessionBody())
}

func sessionBody() map[string]any {
	return map[string]any{
		"user": map[string]any{"id": "o1", "username": "ada", "name": "Ada", "role": "admin",
			"disabled": false, "has_password": true, "created_at": "2030-01-01T00:00:00Z"},
		"csrf_token": testCSRF,
		"expires_at": "2030-01-02T03:04:05Z",
	}
}

func (f *fakeServer) listConnections(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, map[string]any{"connections": []any{
		map[string]any{
			"id": "65f0c0ffee00000000000001", "name": "GitHub", "link_name": "github",
			"service_id": "github", "status": "connected", "scopes": []string{"repo"},
			"granted_scopes": []string{"repo"}, "config": map[string]string{},
			"verified": true, "created_at": "2030-01-01T00:00:00Z",
			"updated_at": "2030-01-01T00:00:00Z",
		},
	}})
}

func (f *fakeServer) createConnection(w http.ResponseWriter, r *http.Request) {
	var in shared.ConnectionInput
	if err := json.Unmarshal(f.body, &in); err != nil {
		problem(w, http.StatusBadRequest, shared.CodeInvalidJSON, err.Error(), nil)
		return
	}
	if msg := shared.CheckLinkName(in.LinkName); msg != "" {
		problem(w, http.StatusUnprocessableEntity, shared.CodeValidation, "invalid input",
			shared.FieldErrors{{Field: "link_name", Message: msg}})
		return
	}
	writeJSON(w, http.StatusCreated, shared.Connection{
		ID: "65f0c0ffee00000000000002", Name: in.Name, LinkName: in.LinkName,
		ServiceID: in.ServiceID, Status: shared.StatusPending,
	})
}

func (f *fakeServer) getConnection(w http.ResponseWriter, r *http.Request) {
	if r.PathValue("ref") != "a b/c" {
		problem(w, http.StatusNotFound, shared.CodeNotFound, "no such connection", nil)
		return
	}
	writeJSON(w, http.StatusOK, shared.Connection{ID: "x", LinkName: "a b/c"})
}

func (f *fakeServer) authorize(w http.ResponseWriter, r *http.Request) {
	if len(f.body) == 0 {
		writeJSON(w, http.StatusOK, map[string]string{"authorize_url": "https://idp.example/auth?x=1"})
		return
	}
	var in struct {
		Params map[string]string `json:"params"`
	}
	json.Unmarshal(f.body, &in)
	if in.Params["api_key"] != "good" {
		problem(w, http.StatusUnprocessableEntity, shared.CodeCredentialsRejected,
			"The service answered 401: the API key was not accepted.", nil)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"connection": shared.Connection{
		ID: "c1", Status: shared.StatusConnected, Verified: true,
	}})
}

func (f *fakeServer) revoke(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, map[string]any{"connection": shared.Connection{
		ID: r.PathValue("ref"), Status: shared.StatusRevoked,
	}})
}

func (f *fakeServer) patchService(w http.ResponseWriter, r *http.Request) {
	var patch map[string]any
	json.Unmarshal(f.body, &patch)
	svc := shared.Service{ID: r.PathValue("id"), Name: "Acme", AuthType: shared.AuthOAuth2}
	svc.ClientID, _ = patch["client_id"].(string)
	_, svc.ClientSecretSet = patch["client_secret"]
	writeJSON(w, http.StatusOK, svc)
}

func (f *fakeServer) proxy(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, map[string]string{
		"path":  r.URL.EscapedPath(),
		"query": r.URL.RawQuery,
		"auth":  r.Header.Get("Authorization"),
		"extra": r.Header.Get("X-Extra"),
	})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

func problem(w http.ResponseWriter, status int, code shared.Code, detail string, fe shared.FieldErrors) {
	w.Header().Set("Content-Type", shared.ProblemContentType)
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(shared.Problem{
		Type: shared.ProblemTypeBase + string(code), Title: http.StatusText(status),
		Status: status, Code: code, Detail: detail, Errors: fe,
	})
}

func TestBrowserSession(t *testing.T) {
	srv := newFakeServer(t)
	jar, _ := cookiejar.New(nil)
	c := New(srv.URL+"/", WithHTTPClient(&http.Client{Jar: jar}))
	ctx := context.Background()

	_, err := c.CreateConnection(ctx, shared.ConnectionInput{Name: "X", LinkName: "x"})
	if !IsUnauthorized(err) {
		t.Fatalf("before sign-in: got %v, want a 401 problem", err)
	}

	s, err := c.SignIn(ctx, SignInRequest{LoginToken: "tok"})
	if err != nil {
		t.Fatalf("sign in: %v", err)
	}
	want := time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)
	if s.User.Name != "Ada" || s.User.Username != "ada" || !s.IsAdmin() || !s.User.HasPassword ||
		!s.ExpiresAt.Equal(want) || c.CSRFToken() != testCSRF {
		t.Fatalf("session: got %+v, csrf %q", s, c.CSRFToken())
	}

	conn, err := c.CreateConnection(ctx, shared.ConnectionInput{
		Name: "My GitHub", LinkName: "my_github", ServiceID: "github",
	})
	if err != nil {
		t.Fatalf("create: %v", err)
	}
	if conn.Status != shared.StatusPending || conn.LinkName != "my_github" {
		t.Errorf("create: got %+v", conn)
	}
}

func TestCSRFOnlyOnChanges(t *testing.T) {
	srv := newFakeServer(t)
	jar, _ := cookiejar.New(nil)
	c := New(srv.URL, WithHTTPClient(&http.Client{Jar: jar}))
	ctx := context.Background()
	if _, err := c.SignIn(ctx, SignInRequest{LoginToken: "tok"}); err != nil {
		t.Fatal(err)
	}

	other := New(srv.URL, WithHTTPClient(&http.Client{Jar: jar}))
	if _, err := other.ListConnections(ctx, ConnectionQuery{}); err != nil {
		t.Fatalf("GET without CSRF token: %v", err)
	}
	_, err := other.Revoke(ctx, "github")
	if p, ok := AsProblem(err); !ok || p.Code != shared.CodeForbidden {
		t.Fatalf("POST without CSRF token: got %v, want 403 forbidden", err)
	}
	if _, err := other.Session(ctx); err != nil || other.CSRFToken() != testCSRF {
		t.Fatalf("Session: got %v, token %q", err, other.CSRFToken())
	}
	conn, err := other.Revoke(ctx, "github")
	if err != nil || conn.Status != shared.StatusRevoked {
		t.Fatalf("revoke after Session: got %+v, %v", conn, err)
	}
}

func TestErrors(t *testing.T) {
	srv := newFakeServer(t)
	c := New(srv.URL, WithAPIKey(testKey))
	ctx := context.Background()

	tests := []struct {
		name       string
		call       func() error
		wantStatus int
		wantCode   shared.Code
		wantField  string
	}{
		{
			name: "validation problem with field errors",
			call: func() error {
				_, err := c.CreateConnection(ctx, shared.ConnectionInput{Name: "X", LinkName: "Bad"})
				return err
			},
			wantStatus: 422, wantCode: shared.CodeValidation, wantField: "link_name",
		},
		{
			name: "credentials rejected",
			call: func() error {
				_, err := c.Authorize(ctx, "c1", map[string]string{"api_key": "bad"})
				return err
			},
			wantStatus: 422, wantCode: shared.CodeCredentialsRejected,
		},
		{
			name: "not a problem document",
			call: func() error {
				_, err := c.Meta(ctx)
				return err
			},
			wantStatus: 502, wantCode: shared.CodeUnavailable,
		},
		{
			name: "unknown route",
			call: func() error {
				_, err := c.Token(ctx, "c1")
				return err
			},
			wantStatus: 404, wantCode: shared.CodeNotFound,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.call()
			p, ok := AsProblem(err)
			if !ok {
				t.Fatalf("got %v, want a *shared.Problem", err)
			}
			if p.Status != tt.wantStatus || p.Code != tt.wantCode {
				t.Errorf("got %d %s, want %d %s", p.Status, p.Code, tt.wantStatus, tt.wantCode)
			}
			if tt.wantField != "" && (len(p.Errors) != 1 || p.Errors[0].Field != tt.wantField) {
				t.Errorf("got field errors %v, want one on %s", p.Errors, tt.wantField)
			}
		})
	}
}

func TestUnreachable(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	srv.Close()
	c := New(srv.URL)

	_, err := c.ListConnections(context.Background(), ConnectionQuery{})
	if !errors.Is(err, ErrUnreachable) {
		t.Fatalf("got %v, want ErrUnreachable", err)
	}
	if _, ok := AsProblem(err); ok {
		t.Errorf("got a problem for a network error: %v", err)
	}

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err = c.ListConnections(ctx, ConnectionQuery{})
	if !errors.Is(err, context.Canceled) || errors.Is(err, ErrUnreachable) {
		t.Errorf("canceled: got %v, want context.Canceled only", err)
	}
}

func TestAuthorize(t *testing.T) {
	srv := newFakeServer(t)
	c := New(srv.URL, WithAPIKey(testKey))
	ctx := context.Background()

	res, err := c.Authorize(ctx, "c1", nil)
	if err != nil || res.AuthorizeURL != "https://idp.example/auth?x=1" {
		t.Fatalf("oauth2: got %+v, %v", res, err)
	}
	res, err = c.Authorize(ctx, "c1", map[string]string{"api_key": "good"})
	if err != nil || res.Connection == nil || res.Connection.Status != shared.StatusConnected {
		t.Fatalf("api key: got %+v, %v", res, err)
	}
}

func TestPathsAreEscaped(t *testing.T) {
	srv := newFakeServer(t)
	c := New(srv.URL, WithAPIKey(testKey))

	conn, err := c.GetConnection(context.Background(), "a b/c")
	if err != nil || conn.LinkName != "a b/c" {
		t.Fatalf("got %+v, %v", conn, err)
	}
}

func TestUpdateServiceSendsOnlyGivenFields(t *testing.T) {
	srv := newFakeServer(t)
	c := New(srv.URL, WithAPIKey(testKey))
	id, secret := "client-1", "s3cret"

	svc, err := c.UpdateService(context.Background(), "acme", ServicePatch{
		ClientID: &id, ClientSecret: &secret,
	})
	if err != nil {
		t.Fatal(err)
	}
	if svc.ClientID != id || !svc.ClientSecretSet {
		t.Errorf("got %+v", svc)
	}
}

func TestServicePatchJSON(t *testing.T) {
	empty, id := "", "x"
	tests := []struct {
		name  string
		patch ServicePatch
		want  string
	}{
		{"nothing", ServicePatch{}, `{}`},
		{"client id", ServicePatch{ClientID: &id}, `{"client_id":"x"}`},
		{"cleared field", ServicePatch{RevocationURL: &empty}, `{"revocation_url":""}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b, _ := json.Marshal(tt.patch)
			if got := string(b); got != tt.want {
				t.Errorf("got %s, want %s", got, tt.want)
			}
		})
	}
}

func TestHTTPClientProxies(t *testing.T) {
	srv := newFakeServer(t)
	c := New(srv.URL, WithAPIKey(testKey))
	hc := c.HTTPClient("my_github")

	req, _ := http.NewRequest(http.MethodGet, "https://api.github.com/repos/a%2Fb/issues?state=open", nil)
	req.Header.Set("Authorization", "token should-not-leak")
	req.Header.Set("X-Extra", "kept")
	resp, err := hc.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var got map[string]string
	json.NewDecoder(resp.Body).Decode(&got)

	want := map[string]string{
		"path":  "/api/v1/connections/my_github/proxy/repos/a%2Fb/issues",
		"query": "state=open",
		"auth":  "Bearer " + testKey,
		"extra": "kept",
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %v, want %v", got, want)
	}
	if req.Header.Get("Authorization") != "token should-not-leak" {
		t.Errorf("the caller's request was changed")
	}
}

func TestListServicesQuery(t *testing.T) {
	var gotQuery string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		gotQuery = r.URL.RawQuery
		writeJSON(w, http.StatusOK, map[string]any{"services": []shared.Service{
			{ID: "github", Name: "GitHub", AuthType: shared.AuthOAuth2, BuiltIn: true},
		}})
	}))
	defer srv.Close()
	c := New(srv.URL)

	svcs, err := c.ListServices(context.Background(), ServiceQuery{
		Q: "git hub", AuthType: shared.AuthOAuth2,
	})
	if err != nil || len(svcs) != 1 || svcs[0].ID != "github" {
		t.Fatalf("got %v, %v", svcs, err)
	}
	if want := "auth_type=oauth2&q=git+hub"; gotQuery != want {
		t.Errorf("query: got %q, want %q", gotQuery, want)
	}
}
