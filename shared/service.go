package shared

import "time"

// AuthType is how a service authenticates the requests Plugboard sends it.
type AuthType string

// The authentication types a service can have.
const (
	AuthOAuth2 AuthType = "oauth2"
	AuthBasic  AuthType = "basic"
	AuthAPIKey AuthType = "api_key"
)

// AuthTypes lists every valid AuthType, in the order the app offers them.
var AuthTypes = []AuthType{AuthOAuth2, AuthBasic, AuthAPIKey}

// Valid reports whether t is one of the known authentication types.
func (t AuthType) Valid() bool {
	for _, k := range AuthTypes {
		if t == k {
			return true
		}
	}
	return false
}

// Label is the name a person reads for t.
func (t AuthType) Label() string {
	switch t {
	case AuthOAuth2:
		return "OAuth 2.0"
	case AuthBasic:
		return "Basic Auth"
	case AuthAPIKey:
		return "API key"
	}
	return string(t)
}

// ParamIn says where a parameter's value goes when Plugboard calls the
// service.
type ParamIn string

// The places a parameter can be used.
const (
	// InUsername and InPassword are the two halves of HTTP Basic
	// authentication (RFC 7617).
	InUsername ParamIn = "username"
	InPassword ParamIn = "password"
	// InHeader sends the value in the request header named by the
	// parameter's Name, after its Prefix.
	InHeader ParamIn = "header"
	// InQuery sends the value as the query parameter named by Name.
	InQuery ParamIn = "query"
	// InPlaceholder fills {Name} in the service's URLs, such as a
	// subdomain or a data center.
	InPlaceholder ParamIn = "placeholder"
)

// Param is one value a service needs from the person connecting it.
//
// Name is the actual parameter name, the one sent to the service (a header
// name, a query key, or a placeholder). DisplayName is what the person sees
// when asked for it.
type Param struct {
	Name        string  `json:"name"`
	DisplayName string  `json:"display_name"`
	Description string  `json:"description,omitempty"`
	In          ParamIn `json:"in"`
	Secret      bool    `json:"secret,omitempty"`
	Required    bool    `json:"required,omitempty"`
	// Pattern is a regular expression (RE2 syntax) the whole value must
	// match.
	Pattern string `json:"pattern,omitempty"`
	// Prefix goes before the value in a header, such as "Bearer ".
	Prefix string `json:"prefix,omitempty"`
	// Options, when set, are the only values allowed (a data center, an
	// environment).
	Options []string `json:"options,omitempty"`
	// Default is used when the person gives no value.
	Default string `json:"default,omitempty"`
}

// AtCreation reports whether the value is asked for when the connection is
// created and kept in its config, rather than asked for when it is
// authorized and sealed with its credentials. Non-secret placeholders
// (a subdomain, a region) are given at creation; everything used to
// authenticate, and every secret, at authorization.
func (p Param) AtCreation() bool {
	return p.In == InPlaceholder && !p.Secret
}

// Scope is one permission an OAuth 2.0 service can grant.
type Scope struct {
	Name        string `json:"name"`
	Description string `json:"description,omitempty"`
}

// TokenAuthStyle is how the client authenticates at the token endpoint
// (RFC 6749 section 2.3.1).
type TokenAuthStyle string

// The client authentication styles.
const (
	// TokenAuthHeader sends client_id and client_secret with HTTP Basic.
	TokenAuthHeader TokenAuthStyle = "header"
	// TokenAuthBody sends them as form fields in the request body.
	TokenAuthBody TokenAuthStyle = "body"
)

// TokenShape describes a token response that differs from RFC 6749
// section 5.1. Each path is a dotted path into the JSON object, such as
// "authed_user.access_token"; an empty path means the standard field.
type TokenShape struct {
	AccessTokenPath  string `json:"access_token_path,omitempty"`
	RefreshTokenPath string `json:"refresh_token_path,omitempty"`
	ExpiresInPath    string `json:"expires_in_path,omitempty"`
	ScopePath        string `json:"scope_path,omitempty"`
	TokenTypePath    string `json:"token_type_path,omitempty"`
	// Metadata names response fields that later API calls need, such as
	// Salesforce's instance_url or Zoho's api_domain. They are kept with
	// the connection and can fill {name} placeholders in api_base_url.
	Metadata []string `json:"metadata,omitempty"`
}

// OAuth2 holds the settings of an OAuth 2.0 service. Its fields appear at
// the top level of a service's JSON.
type OAuth2 struct {
	AuthorizationURL string `json:"authorization_url,omitempty"`
	TokenURL         string `json:"token_url,omitempty"`
	RevocationURL    string `json:"revocation_url,omitempty"`
	// Issuer is the authorization server's issuer identifier (RFC 8414).
	// A custom service created with only an issuer has its endpoints
	// filled from the server's metadata.
	Issuer         string   `json:"issuer,omitempty"`
	Scopes         []Scope  `json:"scopes,omitempty"`
	DefaultScopes  []string `json:"default_scopes,omitempty"`
	ScopeSeparator string   `json:"scope_separator,omitempty"`
	// NoScopes says the provider takes no scopes in the authorization
	// request: permissions are set where the client is registered.
	NoScopes bool `json:"no_scopes,omitempty"`
	// ScopeParam is the authorization request parameter that carries the
	// scopes; "scope" unless the provider uses another (Slack asks for
	// user-token scopes in user_scope).
	ScopeParam string `json:"scope_param,omitempty"`
	// AuthScheme is the scheme of the Authorization header that carries
	// the access token to the API; "Bearer" (RFC 6750) unless the
	// provider documents another, as Zoho does with "Zoho-oauthtoken".
	AuthScheme string `json:"auth_scheme,omitempty"`
	// PKCE says whether an S256 code challenge (RFC 7636) is sent. Nil
	// means yes.
	PKCE           *bool          `json:"pkce,omitempty"`
	TokenAuthStyle TokenAuthStyle `json:"token_auth_style,omitempty"`
	// AuthParams are extra parameters for the authorization request, such
	// as Google's access_type=offline.
	AuthParams map[string]string `json:"auth_params,omitempty"`
	// TokenParams are extra parameters for every token request.
	TokenParams   map[string]string `json:"token_params,omitempty"`
	TokenResponse *TokenShape       `json:"token_response,omitempty"`
	ClientID      string            `json:"client_id,omitempty"`
	// ClientSecret is write-only: the API accepts it and never returns
	// it. ClientSecretSet tells readers whether one is stored.
	ClientSecret    string `json:"client_secret,omitempty"`
	ClientSecretSet bool   `json:"client_secret_set,omitempty"`
}

// ScopeParameter is the authorization parameter that carries the scopes.
func (o OAuth2) ScopeParameter() string {
	if o.ScopeParam == "" {
		return "scope"
	}
	return o.ScopeParam
}

// Scheme is the Authorization header scheme for the access token.
func (o OAuth2) Scheme() string {
	if o.AuthScheme == "" {
		return "Bearer"
	}
	return o.AuthScheme
}

// UsesPKCE reports whether authorization requests carry a PKCE challenge.
func (o OAuth2) UsesPKCE() bool { return o.PKCE == nil || *o.PKCE }

// Separator is the string scopes are joined with; a space unless the
// service says otherwise (RFC 6749 section 3.3).
func (o OAuth2) Separator() string {
	if o.ScopeSeparator == "" {
		return " "
	}
	return o.ScopeSeparator
}

// VerifyRequest is a cheap request ("who am I") that tells whether a
// connection's credentials work.
type VerifyRequest struct {
	Method string `json:"method,omitempty"`
	// Path is joined to the service's api_base_url; URL, when set, is used
	// instead. Either may hold {param} placeholders.
	Path string `json:"path,omitempty"`
	URL  string `json:"url,omitempty"`
	// ExpectedStatus lists the answers that mean "accepted"; empty means
	// any 2xx.
	ExpectedStatus []int `json:"expected_status,omitempty"`
}

// Accepts reports whether an answer with the given status means the
// credentials were accepted.
func (v VerifyRequest) Accepts(status int) bool {
	if len(v.ExpectedStatus) == 0 {
		return status >= 200 && status < 300
	}
	for _, s := range v.ExpectedStatus {
		if s == status {
			return true
		}
	}
	return false
}

// HeaderClientID in a header value stands for the service's OAuth 2.0
// client id, which each installation sets for itself.
const HeaderClientID = "{client_id}"

// Service describes how to reach a third-party API: how it authenticates,
// where its endpoints are, and which values it needs from a person.
type Service struct {
	ID          string   `json:"id"`
	Name        string   `json:"name"`
	AuthType    AuthType `json:"auth_type"`
	Description string   `json:"description,omitempty"`
	Categories  []string `json:"categories,omitempty"`
	DocsURL     string   `json:"docs_url,omitempty"`
	// Icon is the address of the service's icon, served by Plugboard
	// itself.
	Icon       string  `json:"icon,omitempty"`
	APIBaseURL string  `json:"api_base_url,omitempty"`
	Params     []Param `json:"params,omitempty"`
	// Headers are sent with every API request to the service, such as a
	// version header the API requires. They hold no secrets. A value may
	// say HeaderClientID where the service's OAuth 2.0 client id belongs
	// (Twitch wants it with every call).
	Headers map[string]string `json:"headers,omitempty"`
	OAuth2
	Verify *VerifyRequest `json:"verify_request,omitempty"`
	// Sources lists where each fact of a built-in entry was checked.
	Sources []string `json:"sources,omitempty"`

	// BuiltIn is set on catalog services, which can be configured but not
	// redefined or deleted.
	BuiltIn   bool      `json:"builtin"`
	CreatedAt time.Time `json:"created_at,omitzero"`
	UpdatedAt time.Time `json:"updated_at,omitzero"`
}

// Param returns the parameter with the given actual name.
func (s *Service) Param(name string) (Param, bool) {
	for _, p := range s.Params {
		if p.Name == name {
			return p, true
		}
	}
	return Param{}, false
}

// HasScope reports whether name is one of the service's scopes.
func (s *Service) HasScope(name string) bool {
	for _, sc := range s.Scopes {
		if sc.Name == name {
			return true
		}
	}
	return false
}

// Public returns a copy of s that is safe to send to a client: the client
// secret is replaced by ClientSecretSet.
func (s Service) Public() Service {
	s.ClientSecretSet = s.ClientSecretSet || s.ClientSecret != ""
	s.ClientSecret = ""
	return s
}
