package lifecycle

import (
	"context"

	"github.com/plugboard/plugboard/backend/internal/audit"
	"github.com/plugboard/plugboard/backend/internal/store"
	"github.com/plugboard/plugboard/shared"
)

// auditedEvents maps the connection events that go to the audit trail to
// their actions. Edits and started authorizations stay in the history.
var auditedEvents = map[shared.EventType]shared.AuditAction{
	shared.EventCreated:            shared.AuditConnCreated,
	shared.EventAuthorized:         shared.AuditConnAuthorized,
	shared.EventAuthorizeFailed:    shared.AuditConnFailed,
	shared.EventRefreshed:          shared.AuditConnRefreshed,
	shared.EventRefreshFailed:      shared.AuditConnFailed,
	shared.EventVerified:           shared.AuditConnVerified,
	shared.EventVerificationFailed: shared.AuditConnFailed,
	shared.EventRevoked:            shared.AuditConnRevoked,
	shared.EventDeleted:            shared.AuditConnDeleted,
}

// failedStep names the step a failure event is about, since the trail
// files all of them under one action.
var failedStep = map[shared.EventType]string{
	shared.EventAuthorizeFailed:    "Authorization failed: ",
	shared.EventRefreshFailed:      "Refresh failed: ",
	shared.EventVerificationFailed: "Verification failed: ",
}

// auditDetail is the trail's words for an event: the history's, led by
// the step that failed.
func auditDetail(typ shared.EventType, detail string) string {
	return failedStep[typ] + detail
}

// actor returns who acts in ctx. A request names its user; without one,
// the owner is taken to act for themselves.
func (m *Manager) actor(ctx context.Context, owner string) audit.Actor {
	a, ok := audit.ActorFrom(ctx)
	if !ok || (a.Name == "" && a.UserID == "") {
		a.UserID, a.Name = owner, m.username(ctx, owner)
	}
	if a.Name == "" {
		a.Name = m.username(ctx, a.UserID)
	}
	return a
}

// username returns how the trail and the history name a user: their
// username, or their id when it cannot be read.
func (m *Manager) username(ctx context.Context, id string) string {
	o, err := m.store.GetOwner(context.WithoutCancel(ctx), id)
	if err != nil {
		m.log.ErrorContext(ctx, "read user for their name", "user", id, "err", err)
		return id
	}
	return ownerName(o)
}

// ownerName is the name a user signs in with; owners stored before
// usernames existed have only their display name.
func ownerName(o store.Owner) string {
	if o.Username != "" {
		return o.Username
	}
	return o.Name
}

// auditService records a change to a service in the audit trail.
func (m *Manager) auditService(ctx context.Context, owner string, action shared.AuditAction, svc shared.Service, detail string) {
	m.audit.Record(audit.WithActor(ctx, m.actor(ctx, owner)), shared.AuditEntry{
		Action: action, TargetType: "service", TargetID: svc.ID, TargetName: svc.Name,
		OwnerID: owner, Detail: detail,
	})
}

// callbackActor names the owner as who acts in an OAuth 2.0 callback:
// the single-use state proves the browser that comes back is theirs. How
// the request came, and from where, is kept from ctx.
func (m *Manager) callbackActor(ctx context.Context, owner string) context.Context {
	a, _ := audit.ActorFrom(ctx)
	a.UserID, a.Name = owner, m.username(ctx, owner)
	if a.Via == "" {
		a.Via = "oauth_callback"
	}
	return audit.WithActor(ctx, a)
}

// auditShare records that an owner shared a connection, or stopped.
func (m *Manager) auditShare(ctx context.Context, owner string, c shared.Connection, action shared.AuditAction, detail string) {
	m.audit.Record(audit.WithActor(ctx, m.actor(ctx, owner)), shared.AuditEntry{
		Action: action, TargetType: "connection", TargetID: c.ID, TargetName: c.LinkName,
		OwnerID: owner, Detail: detail,
	})
}
