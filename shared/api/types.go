package api

import (
	"fmt"
	"io"
	"log/slog"
	"strconv"
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

// SignInRequest starts a browser session with one of: a username and
// password, an API key, or the one-time login token printed at the first
// start. It holds secrets, so it prints and logs with them redacted.
type SignInRequest struct {
	Username   string `json:"username,omitempty"`
	Password   string `json:"password,omitempty"`
	APIKey     string `json:"api_key,omitempty"`
	LoginToken string `json:"login_token,omitempty"`
}

// String names how r signs in, without its secrets.
func (r SignInRequest) String() string {
	switch {
	case r.Username != "" || r.Password != "":
		return "sign in as " + strconv.Quote(r.Username) + " with a password"
	case r.APIKey != "":
		return "sign in with an API key"
	case r.LoginToken != "":
		return "sign in with a sign-in link"
	}
	return "sign in with nothing"
}

// Format prints r as String does, whatever the verb, so that no verb
// (%v, %+v, %#v) prints a secret.
func (r SignInRequest) Format(f fmt.State, _ rune) { _, _ = io.WriteString(f, r.String()) }

// LogValue logs r as String does.
func (r SignInRequest) LogValue() slog.Value { return slog.StringValue(r.String()) }

// Session is a browser session, or the caller of an API key: the signed-in
// user and, for browsers, the CSRF token that must be sent as X-CSRF-Token
// with every request that changes something. API keys get no token and a
// zero ExpiresAt.
type Session struct {
	User      shared.User `json:"user"`
	CSRFToken string      `json:"csrf_token,omitempty"`
	ExpiresAt time.Time   `json:"expires_at,omitzero"`
}

// IsAdmin reports whether the signed-in user is an admin.
func (s *Session) IsAdmin() bool { return s != nil && s.User.Role == shared.RoleAdmin }

// AuditQuery selects entries of the audit trail. Empty fields do not
// filter.
type AuditQuery struct {
	Action shared.AuditAction
	// Actor is the id of the user who acted.
	Actor string
	// Target is the id of what was acted on.
	Target string
	// Before is the cursor of an earlier page's NextBefore: the page
	// starts just older than it.
	Before string
	// Limit caps the page's entries, 1 to 200; 0 lets the server choose
	// (50).
	Limit int
}

// AuditPage is one page of the audit trail, newest first. NextBefore is
// the cursor of the next, older page, or "" when there is none.
type AuditPage struct {
	Entries    []shared.AuditEntry `json:"entries"`
	NextBefore string              `json:"next_before,omitempty"`
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
