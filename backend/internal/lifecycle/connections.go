package lifecycle

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/plugboard/plugboard/backend/internal/store"
	"github.com/plugboard/plugboard/shared"
)

// maxEvents caps how much history one read returns.
const maxEvents = 200

// Connections lists a caller's connections and those shared with them,
// newest first. Shared ones carry SharedBy and a summary of their
// owner's service.
func (m *Manager) Connections(ctx context.Context, caller string, q store.ConnectionQuery) ([]shared.Connection, error) {
	own, err := m.store.ListConnections(ctx, caller, q)
	if err != nil {
		return nil, err
	}
	return m.withShared(ctx, caller, own, q)
}

// Connection finds a connection by id or link name: the caller's own
// first, then one shared with them (which carries SharedBy and a summary
// of its owner's service).
func (m *Manager) Connection(ctx context.Context, caller, ref string) (shared.Connection, error) {
	c, owner, err := m.reachable(ctx, caller, ref)
	if err != nil || owner == caller {
		return c, err
	}
	if err := m.newSharedView().mark(ctx, &c, owner); err != nil {
		return shared.Connection{}, err
	}
	return c, nil
}

// CreateConnection adds a pending connection to a service. The link name
// is derived from the name when not given; requested scopes default to
// the service's defaults; config values must fit the service's
// parameters that are asked for at creation.
func (m *Manager) CreateConnection(ctx context.Context, owner string, in shared.ConnectionInput) (shared.Connection, error) {
	var fe shared.FieldErrors
	in.Name = strings.TrimSpace(in.Name)
	if in.Name == "" {
		fe.Add("name", "is required")
	} else if len(in.Name) > shared.MaxNameLen || strings.ContainsFunc(in.Name, shared.IsUnsafeTextRune) {
		fe.Add("name", "must be at most %d characters, without control or text-direction characters", shared.MaxNameLen)
	}
	if in.ServiceID == "" {
		fe.Add("service_id", "is required")
		return shared.Connection{}, invalid(fe)
	}
	svc, _, err := m.service(ctx, owner, in.ServiceID)
	if errors.Is(err, ErrNotFound) {
		fe.Add("service_id", "no service %q exists", in.ServiceID)
		return shared.Connection{}, invalid(fe)
	}
	if err != nil {
		return shared.Connection{}, err
	}
	derived := in.LinkName == ""
	if derived {
		in.LinkName = shared.SuggestLinkName(in.Name)
	} else if msg := shared.CheckLinkName(in.LinkName); msg != "" {
		fe.Add("link_name", "%s", msg)
	}
	if in.Scopes == nil {
		in.Scopes = slices.Clone(svc.DefaultScopes)
	}
	fe = append(fe, checkScopes(&svc, in.Scopes)...)
	fe = append(fe, shared.CheckParamValues(&svc, in.Config, true)...)
	if len(fe) > 0 {
		return shared.Connection{}, invalid(fe)
	}

	now := m.clock()
	c := shared.Connection{
		ID:            store.NewID(),
		Name:          in.Name,
		LinkName:      in.LinkName,
		ServiceID:     svc.ID,
		Scopes:        dedupe(in.Scopes),
		GrantedScopes: []string{},
		Config:        shared.WithDefaults(&svc, in.Config, true),
		Status:        shared.StatusPending,
		CreatedAt:     now,
		UpdatedAt:     now,
	}
	base := c.LinkName
	for n := 2; ; n++ {
		err := m.store.InsertConnection(ctx, owner, c)
		if err == nil {
			break
		}
		if !errors.Is(err, store.ErrDuplicate) {
			return shared.Connection{}, err
		}
		if !derived || n > 50 {
			return shared.Connection{}, duplicateLink(c.LinkName)
		}
		c.LinkName = fmt.Sprintf("%s_%d", strings.TrimRight(base[:min(len(base), 58)], "_"), n)
	}
	m.record(ctx, owner, c, shared.EventCreated, shared.OutcomeOK, "Created for "+svc.Name+".")
	return c, nil
}

func duplicateLink(name string) *Error {
	return fail(shared.CodeDuplicateLinkName,
		"You already have a connection with the link name %q; choose another.", name)
}

// checkScopes checks that every requested scope is one of the service's.
func checkScopes(svc *shared.Service, scopes []string) shared.FieldErrors {
	var fe shared.FieldErrors
	if svc.AuthType != shared.AuthOAuth2 {
		if len(scopes) > 0 {
			fe.Add("scopes", "%s services have no scopes", svc.AuthType.Label())
		}
		return fe
	}
	if len(scopes) > shared.MaxScopes {
		fe.Add("scopes", "at most %d", shared.MaxScopes)
		return fe
	}
	for i, s := range scopes {
		if !svc.HasScope(s) {
			fe.Add(fmt.Sprintf("scopes[%d]", i), "%q is not a scope of %s", s, svc.Name)
		}
	}
	return fe
}

func dedupe(in []string) []string {
	out := make([]string, 0, len(in))
	for _, s := range in {
		if !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	return out
}

// UpdateConnection changes a connection's name, link name, scopes or
// config. Changing the scopes or config of an authorized connection means
// its grant no longer matches, so it then needs re-authorization.
func (m *Manager) UpdateConnection(ctx context.Context, owner, ref string, p shared.ConnectionPatch) (shared.Connection, error) {
	c, err := m.owned(ctx, owner, ref, verbChange)
	if err != nil {
		return shared.Connection{}, err
	}
	svc, _, err := m.service(ctx, owner, c.ServiceID)
	if err != nil {
		return shared.Connection{}, err
	}

	var fe shared.FieldErrors
	set := store.Fields{}
	var changed []string
	if p.Name != nil {
		name := strings.TrimSpace(*p.Name)
		if name == "" || len(name) > shared.MaxNameLen || strings.ContainsFunc(name, shared.IsUnsafeTextRune) {
			fe.Add("name", "must be 1 to %d characters, without control or text-direction characters", shared.MaxNameLen)
		} else if name != c.Name {
			set["name"] = name
			changed = append(changed, "name")
		}
	}
	if p.LinkName != nil && *p.LinkName != c.LinkName {
		if msg := shared.CheckLinkName(*p.LinkName); msg != "" {
			fe.Add("link_name", "%s", msg)
		}
		set["link_name"] = *p.LinkName
		changed = append(changed, "link name")
	}
	regrant := false
	if p.Scopes != nil {
		fe = append(fe, checkScopes(&svc, *p.Scopes)...)
		scopes := dedupe(*p.Scopes)
		if !sameSet(scopes, c.Scopes) {
			set["scopes"] = scopes
			changed = append(changed, "scopes")
			regrant = true
		}
	}
	if p.Config != nil {
		fe = append(fe, shared.CheckParamValues(&svc, *p.Config, true)...)
		cfg := shared.WithDefaults(&svc, *p.Config, true)
		// Non-secret values given at authorization (a user name) live in
		// config too; they stay.
		for k, v := range c.Config {
			if prm, ok := svc.Param(k); ok && !prm.AtCreation() {
				cfg[k] = v
			}
		}
		if !maps.Equal(cfg, c.Config) {
			set["config"] = cfg
			changed = append(changed, "settings")
			regrant = true
		}
	}
	if len(fe) > 0 {
		return shared.Connection{}, invalid(fe)
	}
	if len(set) == 0 {
		return c, nil
	}
	if regrant && c.Status == shared.StatusConnected {
		set["status"] = shared.StatusNeedsReauth
		set["last_error"] = "The scopes or settings changed; authorize the connection again to apply them."
	}
	set["updated_at"] = m.clock()

	out, err := m.store.SetConnection(ctx, owner, c.ID, nil, set)
	switch {
	case errors.Is(err, store.ErrDuplicate):
		return shared.Connection{}, duplicateLink(*p.LinkName)
	case errors.Is(err, store.ErrNotFound):
		return shared.Connection{}, notFound("connection")
	case err != nil:
		return shared.Connection{}, err
	}
	m.record(ctx, owner, out, shared.EventEdited, shared.OutcomeOK, "Changed "+strings.Join(changed, ", ")+".")
	return out, nil
}

func sameSet(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for _, s := range a {
		if !slices.Contains(b, s) {
			return false
		}
	}
	return true
}

// Events returns a connection's history, newest first. The history of a
// deleted connection is kept, so it can still be read by the id, ending
// with the deletion.
func (m *Manager) Events(ctx context.Context, owner, ref string) ([]shared.Event, error) {
	c, err := m.owned(ctx, owner, ref, verbHistory)
	if errors.Is(err, ErrNotFound) && shared.IsConnectionID(ref) {
		events, lerr := m.store.ListEvents(ctx, owner, ref, maxEvents)
		if lerr != nil || len(events) > 0 {
			return events, lerr
		}
	}
	if err != nil {
		return nil, err
	}
	return m.store.ListEvents(ctx, owner, c.ID, maxEvents)
}

// DeleteConnection ends a connection's authorization (at the provider too)
// and removes it with its credentials and shares. Its history is kept.
func (m *Manager) DeleteConnection(ctx context.Context, owner, ref string) error {
	c, err := m.owned(ctx, owner, ref, verbDelete)
	if err != nil {
		return err
	}
	if c.Status == shared.StatusConnected || c.Status == shared.StatusNeedsReauth {
		if _, err := m.Revoke(ctx, owner, c.ID); err != nil {
			return err
		}
	}
	if err := m.store.DeleteCredential(ctx, owner, c.ID); err != nil {
		return err
	}
	if err := m.store.DeleteShares(ctx, owner, c.ID); err != nil {
		return err
	}
	if err := m.store.DeleteConnection(ctx, owner, c.ID); err != nil {
		if errors.Is(err, store.ErrNotFound) {
			return notFound("connection")
		}
		return err
	}
	m.record(ctx, owner, c, shared.EventDeleted, shared.OutcomeOK, "Deleted.")
	return nil
}
