package shared

import "time"

// Status is where a connection stands in its life.
type Status string

// The statuses a connection can have.
const (
	// StatusPending: created, never authorized.
	StatusPending Status = "pending"
	// StatusConnected: authorized and usable.
	StatusConnected Status = "connected"
	// StatusNeedsReauth: the provider no longer accepts the grant, or the
	// requested scopes changed; the person must authorize again.
	StatusNeedsReauth Status = "needs_reauth"
	// StatusRevoked: authorization was ended on purpose; the connection
	// stays listed and can be authorized again.
	StatusRevoked Status = "revoked"
)

// Label is the status as a person reads it.
func (s Status) Label() string {
	switch s {
	case StatusPending:
		return "Pending"
	case StatusConnected:
		return "Connected"
	case StatusNeedsReauth:
		return "Needs re-authorization"
	case StatusRevoked:
		return "Revoked"
	}
	return string(s)
}

// Connection is one authorized (or to-be-authorized) link between a
// person's code and a service. Code refers to it by LinkName.
type Connection struct {
	ID        string `json:"id"`
	Name      string `json:"name"`
	LinkName  string `json:"link_name"`
	ServiceID string `json:"service_id"`
	// Scopes are the scopes requested; GrantedScopes those the provider
	// granted at the last authorization.
	Scopes        []string `json:"scopes"`
	GrantedScopes []string `json:"granted_scopes"`
	// Config holds the non-secret parameter values (a subdomain, a data
	// center, a user name). Secret values are never returned.
	Config map[string]string `json:"config"`
	// Metadata holds non-secret fields from the provider's token response
	// that later calls need (an instance URL, an API domain).
	Metadata  map[string]string `json:"metadata,omitempty"`
	Status    Status            `json:"status"`
	LastError string            `json:"last_error,omitempty"`
	// Verified tells whether the stored credentials were accepted by the
	// service's verification request; false when the service has none.
	Verified       bool      `json:"verified"`
	VerifiedAt     time.Time `json:"verified_at,omitzero"`
	TokenExpiresAt time.Time `json:"token_expires_at,omitzero"`
	CreatedAt      time.Time `json:"created_at"`
	UpdatedAt      time.Time `json:"updated_at"`
	ConnectedAt    time.Time `json:"connected_at,omitzero"`
	LastUsedAt     time.Time `json:"last_used_at,omitzero"`
	// SharedBy is set only in answers to a user an admin shared the
	// connection with: the owner's username. Such a user may call the
	// connection through the proxy and nothing more.
	SharedBy string `json:"shared_by,omitempty"`
	// Service is set alongside SharedBy: what the user the connection is
	// shared with may read of the owner's service, which the proxy calls
	// and which their own services do not describe.
	Service *ServiceSummary `json:"service,omitempty"`
}

// ServiceSummary is a read-only account of a connection's service for a
// user who does not own it. It holds no secrets and no client settings.
type ServiceSummary struct {
	ID       string   `json:"id"`
	Name     string   `json:"name"`
	AuthType AuthType `json:"auth_type,omitempty"`
	// APIBaseURL is the address as the service defines it, placeholders
	// such as {subdomain} unfilled.
	APIBaseURL string `json:"api_base_url,omitempty"`
	Icon       string `json:"icon,omitempty"`
	DocsURL    string `json:"docs_url,omitempty"`
	BuiltIn    bool   `json:"builtin"`
}

// SummaryOf is what a user who does not own s may read of it.
func SummaryOf(s Service) ServiceSummary {
	return ServiceSummary{
		ID: s.ID, Name: s.Name, AuthType: s.AuthType, APIBaseURL: s.APIBaseURL,
		Icon: s.Icon, DocsURL: s.DocsURL, BuiltIn: s.BuiltIn,
	}
}

// ConnectionInput is the body of a request that creates a connection.
type ConnectionInput struct {
	Name      string            `json:"name"`
	LinkName  string            `json:"link_name,omitempty"`
	ServiceID string            `json:"service_id"`
	Scopes    []string          `json:"scopes,omitempty"`
	Config    map[string]string `json:"config,omitempty"`
}

// ConnectionPatch is the body of a request that edits a connection. A nil
// field is left as it is.
type ConnectionPatch struct {
	Name     *string            `json:"name,omitempty"`
	LinkName *string            `json:"link_name,omitempty"`
	Scopes   *[]string          `json:"scopes,omitempty"`
	Config   *map[string]string `json:"config,omitempty"`
}

// EventType names a change in a connection's life.
type EventType string

// The events recorded for a connection.
const (
	EventCreated            EventType = "created"
	EventEdited             EventType = "edited"
	EventAuthorizeStarted   EventType = "authorize_started"
	EventAuthorized         EventType = "authorized"
	EventAuthorizeFailed    EventType = "authorize_failed"
	EventRefreshed          EventType = "refreshed"
	EventRefreshFailed      EventType = "refresh_failed"
	EventVerified           EventType = "verified"
	EventVerificationFailed EventType = "verification_failed"
	EventRevoked            EventType = "revoked"
	EventDeleted            EventType = "deleted"
)

// Outcome says how an event ended.
type Outcome string

// The outcomes of an event.
const (
	OutcomeOK     Outcome = "ok"
	OutcomeFailed Outcome = "failed"
)

// Event is one entry in a connection's history. It never holds a secret.
type Event struct {
	ID           string    `json:"id"`
	ConnectionID string    `json:"connection_id"`
	Type         EventType `json:"type"`
	Outcome      Outcome   `json:"outcome"`
	// Actor is who caused the event: the acting user's username, or
	// "system" for background work such as a refresh.
	Actor  string    `json:"actor"`
	Detail string    `json:"detail,omitempty"`
	Time   time.Time `json:"time"`
}
