package lifecycle

import (
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"

	"github.com/plugboard/plugboard/backend/internal/outbound"
	"github.com/plugboard/plugboard/shared"
)

// metadataServer serves authorization server metadata documents by path;
// "{base}" in a document is replaced by the server's own URL.
func metadataServer(t *testing.T, docs map[string]string) *httptest.Server {
	t.Helper()
	var base string
	s := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		doc, ok := docs[r.URL.Path]
		if !ok {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(strings.ReplaceAll(doc, "{base}", base)))
	}))
	t.Cleanup(s.Close)
	base = s.URL
	return s
}

// discoveryManager is a Manager that may reach loopback servers, which is
// all discover needs.
func discoveryManager(t *testing.T) *Manager {
	t.Helper()
	allow, err := outbound.ParseAllowList("127.0.0.1")
	if err != nil {
		t.Fatalf("ParseAllowList: %v", err)
	}
	return &Manager{out: outbound.New(outbound.Config{Allow: allow})}
}

const (
	rfc8414Path = "/.well-known/oauth-authorization-server"
	oidcPath    = "/.well-known/openid-configuration"
)

// fullMetadata is an RFC 8414 document with everything discover reads.
const fullMetadata = `{
  "issuer": "{base}",
  "authorization_endpoint": "{base}/oauth2/auth",
  "token_endpoint": "{base}/oauth2/token",
  "revocation_endpoint": "{base}/oauth2/revoke",
  "scopes_supported": ["openid", "offline_access"],
  "response_types_supported": ["code"],
  "code_challenge_methods_supported": ["plain", "S256"],
  "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"]
}`

// TestDiscover fills a service's endpoints from its issuer's metadata
// (RFC 8414, then OpenID Connect Discovery).
func TestDiscover(t *testing.T) {
	tests := []struct {
		name string
		// docs are served by path; issuerPath is appended to the server's
		// URL to form the issuer asked for.
		docs       map[string]string
		issuerPath string
		before     shared.Service
		want       func(base string) shared.OAuth2
	}{
		{
			name: "RFC 8414 document",
			docs: map[string]string{rfc8414Path: fullMetadata},
			want: func(base string) shared.OAuth2 {
				return shared.OAuth2{
					AuthorizationURL: base + "/oauth2/auth",
					TokenURL:         base + "/oauth2/token",
					RevocationURL:    base + "/oauth2/revoke",
					Scopes:           []shared.Scope{{Name: "openid"}, {Name: "offline_access"}},
				}
			},
		},
		{
			name: "OpenID Connect document when RFC 8414 has none",
			docs: map[string]string{oidcPath: `{"issuer":"{base}",
				"authorization_endpoint":"{base}/authorize","token_endpoint":"{base}/token"}`},
			want: func(base string) shared.OAuth2 {
				return shared.OAuth2{AuthorizationURL: base + "/authorize", TokenURL: base + "/token"}
			},
		},
		{
			name: "issuer with a path",
			docs: map[string]string{
				rfc8414Path + "/tenant/v2": `{"issuer":"{base}/tenant/v2",
					"authorization_endpoint":"{base}/tenant/v2/auth","token_endpoint":"{base}/tenant/v2/token"}`,
			},
			issuerPath: "/tenant/v2",
			want: func(base string) shared.OAuth2 {
				return shared.OAuth2{AuthorizationURL: base + "/tenant/v2/auth", TokenURL: base + "/tenant/v2/token"}
			},
		},
		{
			name: "OpenID Connect document below an issuer path",
			docs: map[string]string{
				"/realms/acme" + oidcPath: `{"issuer":"{base}/realms/acme",
					"authorization_endpoint":"{base}/realms/acme/auth","token_endpoint":"{base}/realms/acme/token"}`,
			},
			issuerPath: "/realms/acme",
			want: func(base string) shared.OAuth2 {
				return shared.OAuth2{AuthorizationURL: base + "/realms/acme/auth", TokenURL: base + "/realms/acme/token"}
			},
		},
		{
			name:       "issuer asked for with a trailing slash",
			docs:       map[string]string{rfc8414Path: fullMetadata},
			issuerPath: "/",
			want: func(base string) shared.OAuth2 {
				return shared.OAuth2{
					AuthorizationURL: base + "/oauth2/auth",
					TokenURL:         base + "/oauth2/token",
					RevocationURL:    base + "/oauth2/revoke",
					Scopes:           []shared.Scope{{Name: "openid"}, {Name: "offline_access"}},
				}
			},
		},
		{
			name: "scopes and revocation URL given are kept",
			docs: map[string]string{rfc8414Path: fullMetadata},
			before: shared.Service{OAuth2: shared.OAuth2{
				RevocationURL: "https://example.com/revoke",
				Scopes:        []shared.Scope{{Name: "read"}},
			}},
			want: func(base string) shared.OAuth2 {
				return shared.OAuth2{
					AuthorizationURL: base + "/oauth2/auth",
					TokenURL:         base + "/oauth2/token",
					RevocationURL:    "https://example.com/revoke",
					Scopes:           []shared.Scope{{Name: "read"}},
				}
			},
		},
		{
			name: "no S256 turns PKCE off",
			docs: map[string]string{rfc8414Path: `{"issuer":"{base}","authorization_endpoint":"{base}/a",
				"token_endpoint":"{base}/t","code_challenge_methods_supported":["plain"]}`},
			want: func(base string) shared.OAuth2 {
				off := false
				return shared.OAuth2{AuthorizationURL: base + "/a", TokenURL: base + "/t", PKCE: &off}
			},
		},
		{
			name: "only client_secret_post sends the secret in the body",
			docs: map[string]string{rfc8414Path: `{"issuer":"{base}","authorization_endpoint":"{base}/a",
				"token_endpoint":"{base}/t","token_endpoint_auth_methods_supported":["client_secret_post"]}`},
			want: func(base string) shared.OAuth2 {
				return shared.OAuth2{AuthorizationURL: base + "/a", TokenURL: base + "/t",
					TokenAuthStyle: shared.TokenAuthBody}
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := metadataServer(t, tt.docs)
			svc := tt.before
			svc.AuthType = shared.AuthOAuth2
			svc.Issuer = srv.URL + tt.issuerPath

			if err := discoveryManager(t).discover(t.Context(), &svc); err != nil {
				t.Fatalf("discover() error = %v, want none", err)
			}

			want := tt.want(srv.URL)
			want.Issuer = svc.Issuer
			if got := svc.OAuth2; !sameOAuth2(got, want) {
				t.Errorf("discover() filled\n%s\nwant\n%s", jsonOf(got), jsonOf(want))
			}
		})
	}
}

// TestDiscoverRefused checks what discovery refuses.
func TestDiscoverRefused(t *testing.T) {
	tests := []struct {
		name     string
		docs     map[string]string
		issuer   func(base string) string
		wantCode shared.Code
		wantText string
	}{
		{
			name: "issuer in the document differs",
			docs: map[string]string{rfc8414Path: `{"issuer":"https://evil.example",
				"authorization_endpoint":"{base}/a","token_endpoint":"{base}/t"}`},
			wantCode: shared.CodeProviderError,
			wantText: `"https://evil.example"`,
		},
		{
			name: "issuer in the fallback document differs",
			docs: map[string]string{oidcPath: `{"issuer":"{base}/other",
				"authorization_endpoint":"{base}/a","token_endpoint":"{base}/t"}`},
			wantCode: shared.CodeProviderError,
			wantText: "refused",
		},
		{
			name:     "no document anywhere",
			docs:     map[string]string{},
			wantCode: shared.CodeProviderError,
			wantText: "give the endpoints",
		},
		{
			name:     "document is not JSON",
			docs:     map[string]string{rfc8414Path: `<html>`, oidcPath: `<html>`},
			wantCode: shared.CodeProviderError,
			wantText: "No authorization server metadata",
		},
		{
			name:     "issuer not an http URL",
			issuer:   func(string) string { return "ftp://example.com" },
			wantCode: shared.CodeValidation,
		},
		{
			name:     "issuer with a query",
			issuer:   func(base string) string { return base + "?tenant=a" },
			wantCode: shared.CodeValidation,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := metadataServer(t, tt.docs)
			svc := shared.Service{AuthType: shared.AuthOAuth2, OAuth2: shared.OAuth2{Issuer: srv.URL}}
			if tt.issuer != nil {
				svc.Issuer = tt.issuer(srv.URL)
			}

			err := discoveryManager(t).discover(t.Context(), &svc)

			var le *Error
			if !errors.As(err, &le) {
				t.Fatalf("discover() error = %v, want a *lifecycle.Error", err)
			}
			if le.Code != tt.wantCode {
				t.Errorf("discover() code = %s, want %s", le.Code, tt.wantCode)
			}
			if !strings.Contains(le.Detail, tt.wantText) {
				t.Errorf("discover() detail = %q, want it to contain %q", le.Detail, tt.wantText)
			}
			if svc.AuthorizationURL != "" || svc.TokenURL != "" {
				t.Errorf("discover() filled endpoints %q and %q, want none", svc.AuthorizationURL, svc.TokenURL)
			}
		})
	}
}

// TestWellKnownURLs checks where metadata is looked for.
func TestWellKnownURLs(t *testing.T) {
	tests := []struct {
		issuer string
		want   []string
	}{
		{
			issuer: "https://as.example.com",
			want: []string{"https://as.example.com/.well-known/oauth-authorization-server",
				"https://as.example.com/.well-known/openid-configuration"},
		},
		{
			// RFC 8414 section 3.1: the well-known segment goes between
			// host and path.
			issuer: "https://as.example.com/issuer1",
			want: []string{"https://as.example.com/.well-known/oauth-authorization-server/issuer1",
				"https://as.example.com/issuer1/.well-known/openid-configuration"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.issuer, func(t *testing.T) {
			if got := wellKnownURLs(tt.issuer); !slices.Equal(got, tt.want) {
				t.Errorf("wellKnownURLs(%q) = %q, want %q", tt.issuer, got, tt.want)
			}
		})
	}
}

func sameOAuth2(a, b shared.OAuth2) bool { return jsonOf(a) == jsonOf(b) }

func jsonOf(v any) string {
	b, _ := json.MarshalIndent(v, "", "  ")
	return string(b)
}
