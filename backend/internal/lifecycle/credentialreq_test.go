package lifecycle

import (
	"encoding/base64"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"testing"

	"github.com/plugboard/plugboard/backend/internal/outbound"
	"github.com/plugboard/plugboard/shared"
)

// wireRequest is what a service received.
type wireRequest struct {
	path     string
	rawQuery string
	header   http.Header
}

// recordingServer answers 200 to everything and hands each request it
// received to the returned channel.
func recordingServer(t *testing.T) (*httptest.Server, <-chan wireRequest) {
	t.Helper()
	got := make(chan wireRequest, 8)
	s := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got <- wireRequest{path: r.URL.Path, rawQuery: r.URL.RawQuery, header: r.Header.Clone()}
	}))
	t.Cleanup(s.Close)
	return s, got
}

// credManager is a Manager whose guarded client may reach loopback
// services, which is all sendVerify needs.
func credManager(t *testing.T) *Manager {
	t.Helper()
	allow, err := outbound.ParseAllowList("127.0.0.1")
	if err != nil {
		t.Fatalf("ParseAllowList: %v", err)
	}
	return &Manager{out: outbound.New(outbound.Config{Allow: allow})}
}

// TestApplyCredentials sends verification requests through the guarded
// client and checks what reached the service: each kind of parameter
// exactly where the service takes it, and nothing else.
func TestApplyCredentials(t *testing.T) {
	srv, got := recordingServer(t)
	m := credManager(t)
	basic := func(user, pass string) string {
		return "Basic " + base64.StdEncoding.EncodeToString([]byte(user+":"+pass))
	}

	tests := []struct {
		name      string
		params    []shared.Param
		verify    string
		values    map[string]string
		wantPath  string
		wantQuery url.Values
		// wantHeader lists the credential headers; any other of
		// Authorization and X-Api-Key must be absent.
		wantHeader map[string]string
	}{
		{
			name: "basic auth",
			params: []shared.Param{
				{Name: "user", In: shared.InUsername},
				{Name: "pass", In: shared.InPassword, Secret: true},
			},
			verify:     "/me",
			values:     map[string]string{"user": "ada", "pass": "pä ss:wörd"},
			wantPath:   "/me",
			wantHeader: map[string]string{"Authorization": basic("ada", "pä ss:wörd")},
		},
		{
			name:       "basic auth without password",
			params:     []shared.Param{{Name: "token", In: shared.InUsername, Secret: true}},
			verify:     "/me",
			values:     map[string]string{"token": "tok-1"},
			wantPath:   "/me",
			wantHeader: map[string]string{"Authorization": basic("tok-1", "")},
		},
		{
			name: "header with prefix",
			params: []shared.Param{
				{Name: "Authorization", In: shared.InHeader, Prefix: "Bearer ", Secret: true},
			},
			verify:     "/me",
			values:     map[string]string{"Authorization": "k-1"},
			wantPath:   "/me",
			wantHeader: map[string]string{"Authorization": "Bearer k-1"},
		},
		{
			name:       "header without prefix",
			params:     []shared.Param{{Name: "X-Api-Key", In: shared.InHeader, Secret: true}},
			verify:     "/me",
			values:     map[string]string{"X-Api-Key": "k-2"},
			wantPath:   "/me",
			wantHeader: map[string]string{"X-Api-Key": "k-2"},
		},
		{
			name:      "query joined to the address's own query",
			params:    []shared.Param{{Name: "api_key", In: shared.InQuery, Secret: true}},
			verify:    "/me?format=json",
			values:    map[string]string{"api_key": "a&b=c d+/%"},
			wantPath:  "/me",
			wantQuery: url.Values{"format": {"json"}, "api_key": {"a&b=c d+/%"}},
		},
		{
			name: "placeholders fill the path and are not sent as credentials",
			params: []shared.Param{
				{Name: "account", In: shared.InPlaceholder},
				{Name: "X-Api-Key", In: shared.InHeader, Secret: true},
			},
			verify:     "/{account}/me",
			values:     map[string]string{"account": "acme", "X-Api-Key": "k-3", "stray": "s"},
			wantPath:   "/acme/me",
			wantHeader: map[string]string{"X-Api-Key": "k-3"},
		},
		{
			name: "a parameter without a value is not sent",
			params: []shared.Param{
				{Name: "X-Api-Key", In: shared.InHeader, Secret: true},
				{Name: "api_key", In: shared.InQuery, Secret: true},
			},
			verify:     "/me",
			values:     map[string]string{"X-Api-Key": "k-4"},
			wantPath:   "/me",
			wantHeader: map[string]string{"X-Api-Key": "k-4"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			svc := &shared.Service{
				Name:       "Fake",
				AuthType:   shared.AuthAPIKey,
				APIBaseURL: srv.URL,
				Params:     tt.params,
				Verify:     &shared.VerifyRequest{Method: http.MethodGet, Path: tt.verify},
			}
			status, err := m.sendVerify(t.Context(), svc, tt.values, nil)
			if err != nil || status != http.StatusOK {
				t.Fatalf("sendVerify: got %d, %v; want 200, no error", status, err)
			}
			r := <-got
			if r.path != tt.wantPath {
				t.Errorf("path: got %q, want %q", r.path, tt.wantPath)
			}
			q, err := url.ParseQuery(r.rawQuery)
			if err != nil {
				t.Fatalf("query %q: %v", r.rawQuery, err)
			}
			if q.Encode() != tt.wantQuery.Encode() {
				t.Errorf("query: got %q, want %q", q.Encode(), tt.wantQuery.Encode())
			}
			for _, h := range []string{"Authorization", "X-Api-Key"} {
				want, ok := tt.wantHeader[h]
				switch v := r.header.Values(h); {
				case ok && !slices.Equal(v, []string{want}):
					t.Errorf("header %s: got %q, want [%q]", h, v, want)
				case !ok && len(v) > 0:
					t.Errorf("header %s: got %q, want none", h, v)
				}
			}
		})
	}
}

// TestSendVerifyRedirect checks that a redirect is handed back, not
// followed: its target never sees the request.
func TestSendVerifyRedirect(t *testing.T) {
	target, got := recordingServer(t)
	redirect := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, target.URL+"/me", http.StatusFound)
	}))
	t.Cleanup(redirect.Close)
	svc := &shared.Service{
		Name:       "Fake",
		AuthType:   shared.AuthAPIKey,
		APIBaseURL: redirect.URL,
		Params:     []shared.Param{{Name: "X-Api-Key", In: shared.InHeader, Secret: true}},
		Verify:     &shared.VerifyRequest{Method: http.MethodGet, Path: "/me"},
	}

	status, err := credManager(t).sendVerify(t.Context(), svc, map[string]string{"X-Api-Key": "k"}, nil)
	if err != nil || status != http.StatusFound {
		t.Fatalf("sendVerify: got %d, %v; want 302, no error", status, err)
	}
	select {
	case r := <-got:
		t.Errorf("the redirect target received %s with %v", r.path, r.header)
	default:
	}
}

// TestRequestValues checks what fills the verification request at
// authorization: values given at creation and now, and none that an
// earlier authorization left in the config.
func TestRequestValues(t *testing.T) {
	svc := &shared.Service{Params: []shared.Param{
		{Name: "account", In: shared.InPlaceholder},
		{Name: "user", In: shared.InUsername},
		{Name: "team", In: shared.InHeader},
		{Name: "pass", In: shared.InPassword, Secret: true},
	}}
	c := shared.Connection{Config: map[string]string{
		"account": "acme", "user": "old", "team": "stale", "gone": "x",
	}}

	tests := []struct {
		name  string
		given map[string]string
		want  map[string]string
	}{
		{name: "new values", given: map[string]string{"user": "ada", "pass": "p"},
			want: map[string]string{"account": "acme", "user": "ada", "pass": "p"}},
		{name: "nothing given", given: nil, want: map[string]string{"account": "acme"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := requestValues(svc, c, tt.given)
			if len(got) != len(tt.want) {
				t.Fatalf("got %v, want %v", got, tt.want)
			}
			for k, v := range tt.want {
				if got[k] != v {
					t.Errorf("%s: got %q, want %q", k, got[k], v)
				}
			}
		})
	}
}
