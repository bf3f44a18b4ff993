package lifecycle

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/plugboard/plugboard/backend/internal/store"
	"github.com/plugboard/plugboard/shared"
)

// What a user a connection is shared with may not do, in the words of
// the refusal.
const (
	verbChange    = "change it"
	verbDelete    = "delete it"
	verbHistory   = "read its history"
	verbAuthorize = "authorize it"
	verbVerify    = "verify it"
	verbRevoke    = "revoke it"
	verbToken     = "read its access token"
	verbShares    = "see or change whom it is shared with"
)

func sharedWithYou(verb string) *Error {
	return fail(shared.CodeForbidden,
		"This connection is shared with you; only its owner can %s.", verb)
}

// own finds an owner's own connection by id or link name.
func (m *Manager) own(ctx context.Context, owner, ref string) (shared.Connection, error) {
	c, err := m.store.GetConnection(ctx, owner, ref)
	if errors.Is(err, store.ErrNotFound) {
		return shared.Connection{}, notFound("connection")
	}
	return c, err
}

// owned finds a caller's own connection for an action only its owner may
// take (verb). A connection merely shared with the caller is refused in
// words that say so; any other is not found.
func (m *Manager) owned(ctx context.Context, caller, ref, verb string) (shared.Connection, error) {
	c, err := m.own(ctx, caller, ref)
	if !errors.Is(err, ErrNotFound) {
		return c, err
	}
	_, serr := m.sharedWith(ctx, caller, ref)
	switch {
	case serr == nil:
		return shared.Connection{}, sharedWithYou(verb)
	case !errors.Is(serr, ErrNotFound):
		return shared.Connection{}, serr
	}
	return shared.Connection{}, err
}

// reachable finds a connection the caller may use: their own first, then
// one shared with them. It returns the connection's owner too, whose
// records (service, credentials) the connection is used with.
func (m *Manager) reachable(ctx context.Context, caller, ref string) (shared.Connection, string, error) {
	c, err := m.own(ctx, caller, ref)
	if !errors.Is(err, ErrNotFound) {
		return c, caller, err
	}
	r, serr := m.sharedWith(ctx, caller, ref)
	switch {
	case errors.Is(serr, ErrNotFound):
		return shared.Connection{}, "", err
	case serr != nil:
		return shared.Connection{}, "", serr
	}
	return r.Connection, r.OwnerID, nil
}

// sharedWith finds a connection shared with caller by id or link name.
// A share outlives its owner's right to share for a moment (a share made
// while the owner was being demoted, a target cached before), so the
// owner is checked at every use: a connection of an owner who may no
// longer share is not found.
func (m *Manager) sharedWith(ctx context.Context, caller, ref string) (store.ConnectionRecord, error) {
	r, err := m.store.SharedConnection(ctx, caller, ref)
	switch {
	case errors.Is(err, store.ErrNotFound):
		return store.ConnectionRecord{}, notFound("connection")
	case errors.Is(err, store.ErrAmbiguous):
		return store.ConnectionRecord{}, fail(shared.CodeDuplicateLinkName,
			"More than one connection shared with you has the link name %q; use the connection's id instead.", ref)
	case err != nil:
		return store.ConnectionRecord{}, err
	}
	ok, err := m.mayShare(ctx, r.OwnerID)
	if err != nil {
		return store.ConnectionRecord{}, err
	}
	if !ok {
		return store.ConnectionRecord{}, notFound("connection")
	}
	return r, nil
}

// mayShare reports whether an owner may still share connections: they
// exist, are not disabled and are an admin.
func (m *Manager) mayShare(ctx context.Context, owner string) (bool, error) {
	o, err := m.store.GetOwner(ctx, owner)
	switch {
	case errors.Is(err, store.ErrNotFound):
		return false, nil
	case err != nil:
		return false, fmt.Errorf("check the sharing owner: %w", err)
	}
	return !o.Disabled && o.Role == shared.RoleAdmin, nil
}

// withShared adds the connections shared with caller that match q to
// their own, keeping the list newest first.
func (m *Manager) withShared(ctx context.Context, caller string, own []shared.Connection, q store.ConnectionQuery) ([]shared.Connection, error) {
	recs, err := m.store.SharedConnections(ctx, caller, q)
	if err != nil || len(recs) == 0 {
		return own, err
	}
	v := m.newSharedView()
	for _, r := range recs {
		ok, err := v.mayShare(ctx, r.OwnerID)
		if err != nil {
			return nil, err
		}
		if !ok {
			continue
		}
		if err := v.mark(ctx, &r.Connection, r.OwnerID); err != nil {
			return nil, err
		}
		own = append(own, r.Connection)
	}
	slices.SortStableFunc(own, func(a, b shared.Connection) int {
		if c := b.CreatedAt.Compare(a.CreatedAt); c != 0 {
			return c
		}
		return cmp.Compare(b.ID, a.ID)
	})
	return own, nil
}

// sharedView marks connections as another owner's, shared with the
// caller. It reads each owner's name and service once per answer.
type sharedView struct {
	m      *Manager
	names  map[string]string
	svcs   map[[2]string]*shared.ServiceSummary
	sharer map[string]bool
}

func (m *Manager) newSharedView() *sharedView {
	return &sharedView{m: m, names: map[string]string{},
		svcs: map[[2]string]*shared.ServiceSummary{}, sharer: map[string]bool{}}
}

// mayShare is Manager.mayShare, read once per owner and answer.
func (v *sharedView) mayShare(ctx context.Context, owner string) (bool, error) {
	if ok, seen := v.sharer[owner]; seen {
		return ok, nil
	}
	ok, err := v.m.mayShare(ctx, owner)
	if err == nil {
		v.sharer[owner] = ok
	}
	return ok, err
}

// mark sets what a user a connection is shared with reads of it beyond
// the connection itself: its owner's username, and a summary of the
// owner's service. The caller's own services are never consulted: one
// of theirs may have the same id and describe another API.
func (v *sharedView) mark(ctx context.Context, c *shared.Connection, owner string) error {
	name, ok := v.names[owner]
	if !ok {
		name = v.m.username(ctx, owner)
		v.names[owner] = name
	}
	key := [2]string{owner, c.ServiceID}
	sum, ok := v.svcs[key]
	if !ok {
		s, err := v.m.serviceSummary(ctx, owner, c.ServiceID)
		if err != nil {
			return err
		}
		sum, v.svcs[key] = &s, &s
	}
	c.SharedBy, c.Service = name, sum
	return nil
}

// serviceSummary is what a user other than the owner may read of an
// owner's service: the catalog's entry, or the owner's custom one. Its
// client secret is never opened. A service the owner no longer has is
// named by its id.
func (m *Manager) serviceSummary(ctx context.Context, owner, id string) (shared.ServiceSummary, error) {
	if s, ok := m.catalog.Get(id); ok {
		return shared.SummaryOf(s), nil
	}
	rec, err := m.store.GetService(ctx, owner, id)
	switch {
	case errors.Is(err, store.ErrNotFound) || (err == nil && rec.Def.BuiltIn):
		// Settings kept for a built-in service the catalog no longer
		// has describe no service.
		return shared.ServiceSummary{ID: id, Name: id}, nil
	case err != nil:
		return shared.ServiceSummary{}, fmt.Errorf("read the shared service %s: %w", id, err)
	}
	return shared.SummaryOf(rec.Def), nil
}

// Shares lists the users a caller's connection is shared with, in the
// order it was shared with them.
func (m *Manager) Shares(ctx context.Context, caller, ref string) ([]shared.Share, error) {
	c, err := m.owned(ctx, caller, ref, verbShares)
	if err != nil {
		return nil, err
	}
	recs, err := m.store.ListShares(ctx, caller, c.ID)
	if err != nil {
		return nil, err
	}
	out := make([]shared.Share, len(recs))
	for i, r := range recs {
		out[i] = m.shareOf(ctx, r)
	}
	return out, nil
}

// shareOf is a stored share as the API shows it. A user deleted since
// has no username.
func (m *Manager) shareOf(ctx context.Context, r store.ShareRecord) shared.Share {
	s := shared.Share{ConnectionID: r.ConnectionID, UserID: r.UserID,
		CreatedAt: r.CreatedAt, CreatedBy: r.CreatedBy}
	if o, err := m.store.GetOwner(ctx, r.UserID); err == nil {
		s.Username = ownerName(o)
	}
	return s
}

// ShareConnection lets another user see a caller's connection and call
// it through the proxy. Sharing again is harmless and answers the share
// as it is. Only admins may share; the HTTP edge checks the role.
func (m *Manager) ShareConnection(ctx context.Context, caller, ref, userID string) (shared.Share, error) {
	c, err := m.owned(ctx, caller, ref, verbShares)
	if err != nil {
		return shared.Share{}, err
	}
	if userID == caller {
		var fe shared.FieldErrors
		fe.Add("user_id", "is the connection's owner; share it with another user")
		return shared.Share{}, invalid(fe)
	}
	user, err := m.store.GetOwner(ctx, userID)
	if errors.Is(err, store.ErrNotFound) {
		return shared.Share{}, notFound("user")
	}
	if err != nil {
		return shared.Share{}, err
	}

	rec, created, err := m.store.PutShare(ctx, store.ShareRecord{
		ConnectionID: c.ID, OwnerID: caller, UserID: userID,
		CreatedAt: m.clock(), CreatedBy: caller,
	})
	if err != nil {
		return shared.Share{}, err
	}
	if created {
		m.auditShare(ctx, caller, c, shared.AuditConnShared, "Shared with "+ownerName(user)+".")
	}
	return m.shareOf(ctx, rec), nil
}

// UnshareConnection ends the share of a caller's connection with a user.
// The user loses the connection through this instance at once, and
// through other instances within targetTTL. Unlike sharing, it needs
// only ownership, not the admin role.
func (m *Manager) UnshareConnection(ctx context.Context, caller, ref, userID string) error {
	c, err := m.owned(ctx, caller, ref, verbShares)
	if err != nil {
		return err
	}
	err = m.store.DeleteShare(ctx, caller, c.ID, userID)
	if errors.Is(err, store.ErrNotFound) {
		return fail(shared.CodeNotFound, "This connection is not shared with that user.")
	}
	if err != nil {
		return err
	}
	m.targets.forget(c.ID)
	name := userID
	if o, err := m.store.GetOwner(ctx, userID); err == nil {
		name = ownerName(o)
	}
	m.auditShare(ctx, caller, c, shared.AuditConnUnshared, "Stopped sharing with "+name+".")
	return nil
}
