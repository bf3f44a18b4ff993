package shared

import "time"

// AuditAction names a security-relevant event in the audit trail.
type AuditAction string

// The actions the audit trail records.
const (
	AuditSignIn          AuditAction = "sign_in"
	AuditSignInFailed    AuditAction = "sign_in_failed"
	AuditSignOut         AuditAction = "sign_out"
	AuditSessionsEnded   AuditAction = "sessions_ended"
	AuditPasswordChanged AuditAction = "password_changed"
	AuditUserCreated     AuditAction = "user_created"
	AuditUserChanged     AuditAction = "user_changed"
	AuditUserDeleted     AuditAction = "user_deleted"
	AuditKeyCreated      AuditAction = "key_created"
	AuditKeyRevoked      AuditAction = "key_revoked"
	AuditServiceCreated  AuditAction = "service_created"
	AuditServiceChanged  AuditAction = "service_changed"
	AuditServiceDeleted  AuditAction = "service_deleted"
	AuditConnCreated     AuditAction = "connection_created"
	AuditConnAuthorized  AuditAction = "connection_authorized"
	AuditConnRefreshed   AuditAction = "connection_refreshed"
	AuditConnFailed      AuditAction = "connection_failed"
	AuditConnVerified    AuditAction = "connection_verified"
	AuditConnRevoked     AuditAction = "connection_revoked"
	AuditConnDeleted     AuditAction = "connection_deleted"
	AuditConnShared      AuditAction = "connection_shared"
	AuditConnUnshared    AuditAction = "connection_unshared"
)

// AuditActions lists every action, for filters and documentation.
var AuditActions = []AuditAction{
	AuditSignIn, AuditSignInFailed, AuditSignOut, AuditSessionsEnded, AuditPasswordChanged,
	AuditUserCreated, AuditUserChanged, AuditUserDeleted,
	AuditKeyCreated, AuditKeyRevoked,
	AuditServiceCreated, AuditServiceChanged, AuditServiceDeleted,
	AuditConnCreated, AuditConnAuthorized, AuditConnRefreshed, AuditConnFailed,
	AuditConnVerified, AuditConnRevoked, AuditConnDeleted, AuditConnShared, AuditConnUnshared,
}

// AuditEntry is one record of the audit trail: who did what, to what,
// when, and how it ended. It never holds a secret; Detail is written by
// Plugboard in plain words, never copied from a request.
type AuditEntry struct {
	ID      string      `json:"id"`
	Time    time.Time   `json:"time"`
	Action  AuditAction `json:"action"`
	Outcome Outcome     `json:"outcome"`
	// ActorID is the user who acted; empty for Plugboard itself (a
	// background refresh) and for failed sign-ins.
	ActorID string `json:"actor_id,omitempty"`
	// ActorName is the acting user's username at the time, "system" for
	// Plugboard itself, or the username tried in a failed sign-in.
	ActorName string `json:"actor_name"`
	// Via is how the actor was signed in: "session", "api_key:<key id>",
	// "password", "sign_in_link", "system", or "oauth_callback" (a
	// browser back from a provider, carrying the owner's flow state).
	Via string `json:"via,omitempty"`
	// IP is the client address the request came from, when there was one.
	IP string `json:"ip,omitempty"`
	// Target names what was acted on.
	TargetType string `json:"target_type,omitempty"` // user, api_key, service, connection, session
	TargetID   string `json:"target_id,omitempty"`
	TargetName string `json:"target_name,omitempty"`
	// OwnerID is the user whose record was acted on.
	OwnerID string `json:"owner_id,omitempty"`
	Detail  string `json:"detail,omitempty"`
}

// Share is a connection that its owner, an admin, lets another user call
// through the proxy. The other user sees the connection but cannot read
// its tokens, change, authorize, revoke or delete it.
type Share struct {
	ConnectionID string    `json:"connection_id"`
	UserID       string    `json:"user_id"`
	Username     string    `json:"username"`
	CreatedAt    time.Time `json:"created_at"`
	// CreatedBy is the id of the admin who shared it.
	CreatedBy string `json:"created_by"`
}
