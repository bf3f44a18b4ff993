package api

import (
	"time"

	"github.com/plugboard/plugboard/shared"
)

// ServiceQuery filters the service list. Empty fields do not filter.
type ServiceQuery struct {
	// Q matches the name, id, description and categories.
	Q        string
	AuthType shared.AuthType
	Category string
}

// ConnectionQuery filters the connection list. Empty fields do not filter.
type ConnectionQuery struct {
	// Q matches the name and the link name.
	Q         string
	Status    shared.Status
	ServiceID string
}

// ServicePatch is the body of a request that edits a service. A nil field
// is left as it is. Built-in services accept only ClientID, ClientSecret
// and DefaultScopes.
type ServicePatch struct {
	Name             *string                `json:"name,omitempty"`
	Description      *string                `json:"description,omitempty"`
	Categories       *[]string              `json:"categories,omitempty"`
	DocsURL          *string                `json:"docs_url,omitempty"`
	APIBaseURL       *string                `json:"api_base_url,omitempty"`
	Params           *[]shared.Param        `json:"params,omitempty"`
	AuthorizationURL *string                `json:"authorization_url,omitempty"`
	TokenURL         *string                `json:"token_url,omitempty"`
	RevocationURL    *string                `json:"revocation_url,omitempty"`
	Issuer           *string                `json:"issuer,omitempty"`
	Scopes           *[]shared.Scope        `json:"scopes,omitempty"`
	DefaultScopes    *[]string              `json:"default_scopes,omitempty"`
	ScopeSeparator   *string                `json:"scope_separator,omitempty"`
	PKCE             *bool                  `json:"pkce,omitempty"`
	TokenAuthStyle   *shared.TokenAuthStyle `json:"token_auth_style,omitempty"`
	ClientID         *string                `json:"client_id,omitempty"`
	// ClientSecret is write-only: answers only tell whether one is set.
	ClientSecret *string               `json:"client_secret,omitempty"`
	Verify       *shared.VerifyRequest `json:"verify_request,omitempty"`
}

// Meta describes the server: the callback URL to register at OAuth 2.0
// providers, the address people reach it at, and its version.
type Meta struct {
	CallbackURL string `json:"callback_url"`
	PublicURL   string `json:"public_url"`
	Version     string `json:"version"`
}

// Health is the answer of the health check.
type Health struct {
	Status string `json:"status"`
}

// SignInRequest starts a browser session, with either an API key or the
// one-time login token printed at the first start.
type SignInRequest struct {
	APIKey     string `json:"api_key,omitempty"`
	LoginToken string `json:"login_token,omitempty"`
}

// Owner is the person a session or an API key belongs to.
type Owner struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

// Session is a browser session. CSRFToken must be sent as X-CSRF-Token
// with every request that changes something.
type Session struct {
	Owner     Owner     `json:"owner"`
	CSRFToken string    `json:"csrf_token"`
	ExpiresAt time.Time `json:"expires_at"`
}

// AuthorizeResult is the answer to an authorization request: for OAuth
// 2.0, the provider's address to send the person to; for Basic Auth and
// API keys, the connection once its credentials were verified.
type AuthorizeResult struct {
	AuthorizeURL string             `json:"authorize_url,omitempty"`
	Connection   *shared.Connection `json:"connection,omitempty"`
}

// Token is a connection's current access token.
type Token struct {
	AccessToken string    `json:"access_token"`
	TokenType   string    `json:"token_type"`
	ExpiresAt   time.Time `json:"expires_at,omitzero"`
}
