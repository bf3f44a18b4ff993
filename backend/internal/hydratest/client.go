package hydratest

import (
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

// ClientSpec describes an OAuth 2.0 client to register. Every client may
// use the authorization code and refresh token grants with response type
// code.
type ClientSpec struct {
	// RedirectURIs are the exact redirect URIs the client may use.
	RedirectURIs []string
	// Scopes are the scopes the client may request. Hydra issues a refresh
	// token only when offline_access (or offline) is requested and
	// granted. Empty lets Hydra choose: offline_access offline openid.
	Scopes []string
	// TokenEndpointAuthMethod is how the client authenticates at the token
	// endpoint (RFC 7591 section 2): client_secret_basic when empty,
	// client_secret_post, or none for a public client.
	TokenEndpointAuthMethod string
}

// Client is a registered OAuth 2.0 client.
type Client struct {
	// ID is the client identifier.
	ID string
	// Secret is the client secret; empty for a public client.
	Secret string
}

// String shows the client without its secret.
func (c Client) String() string {
	return "hydratest.Client{ID: " + c.ID + ", Secret: [redacted]}"
}

// LogValue keeps the secret out of structured logs.
func (c Client) LogValue() slog.Value {
	return slog.GroupValue(slog.String("id", c.ID))
}

var _ slog.LogValuer = Client{}

// CreateClient registers a client with Hydra and returns its credentials,
// failing the test if Hydra refuses it.
func (s *Server) CreateClient(t testing.TB, spec ClientSpec) Client {
	t.Helper()
	method := spec.TokenEndpointAuthMethod
	if method == "" {
		method = "client_secret_basic"
	}
	in := map[string]any{
		"grant_types":                []string{"authorization_code", "refresh_token"},
		"response_types":             []string{"code"},
		"redirect_uris":              spec.RedirectURIs,
		"token_endpoint_auth_method": method,
	}
	if len(spec.Scopes) > 0 {
		in["scope"] = strings.Join(spec.Scopes, " ")
	}

	var out struct {
		ID     string `json:"client_id"`
		Secret string `json:"client_secret"`
	}
	if err := s.adminRequest(t.Context(), http.MethodPost, "/admin/clients", in, &out); err != nil {
		t.Fatalf("hydratest: create client: %v", err)
	}
	return Client{ID: out.ID, Secret: out.Secret}
}

// SetLifespans sets how long the access and refresh tokens that the client
// gets from the authorization code and refresh token grants live; it
// takes effect for tokens issued from then on. A zero duration leaves
// Hydra's server-wide default. It replaces every lifespan set before for
// the client, including those of ID tokens.
func (s *Server) SetLifespans(t testing.TB, clientID string, accessTTL, refreshTTL time.Duration) {
	t.Helper()
	in := map[string]string{}
	if accessTTL > 0 {
		in["authorization_code_grant_access_token_lifespan"] = accessTTL.String()
		in["refresh_token_grant_access_token_lifespan"] = accessTTL.String()
	}
	if refreshTTL > 0 {
		in["authorization_code_grant_refresh_token_lifespan"] = refreshTTL.String()
		in["refresh_token_grant_refresh_token_lifespan"] = refreshTTL.String()
	}

	path := "/admin/clients/" + url.PathEscape(clientID) + "/lifespans"
	if err := s.adminRequest(t.Context(), http.MethodPut, path, in, nil); err != nil {
		t.Fatalf("hydratest: set lifespans: %v", err)
	}
}

// Introspect asks Hydra about a token (RFC 7662) and returns whether it is
// active along with everything Hydra said: scope, client_id, sub, exp,
// token_use and so on.
func (s *Server) Introspect(t testing.TB, token string) (active bool, info map[string]any) {
	t.Helper()
	in := url.Values{"token": {token}}
	path := "/admin/oauth2/introspect"
	if err := s.adminRequest(t.Context(), http.MethodPost, path, in, &info); err != nil {
		t.Fatalf("hydratest: introspect: %v", err)
	}
	active, _ = info["active"].(bool)
	return active, info
}
