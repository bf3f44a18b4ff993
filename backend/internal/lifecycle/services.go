package lifecycle

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/plugboard/plugboard/backend/internal/decode"

	"github.com/plugboard/plugboard/backend/internal/store"
	"github.com/plugboard/plugboard/shared"
)

// ServiceQuery narrows a list of services. Empty fields match everything.
type ServiceQuery struct {
	// Text is matched, ignoring case, against id, name, description and
	// categories.
	Text     string
	AuthType shared.AuthType
	Category string
}

func (q ServiceQuery) match(s shared.Service) bool {
	if q.AuthType != "" && s.AuthType != q.AuthType {
		return false
	}
	if q.Category != "" && !slices.ContainsFunc(s.Categories, func(c string) bool {
		return strings.EqualFold(c, q.Category)
	}) {
		return false
	}
	if q.Text == "" {
		return true
	}
	t := strings.ToLower(q.Text)
	hay := strings.ToLower(strings.Join(append([]string{s.ID, s.Name, s.Description}, s.Categories...), "\n"))
	return strings.Contains(hay, t)
}

// builtinSettings are the fields an owner may set on a built-in service.
var builtinSettings = []string{"client_id", "client_secret", "default_scopes"}

// immutableFields cannot be changed by a patch.
var immutableFields = []string{"id", "builtin", "created_at", "updated_at", "client_secret_set", "auth_type"}

// Services lists the catalog's services, with the owner's settings
// applied, and the owner's custom services, sorted by name. Client secrets
// are never included.
func (m *Manager) Services(ctx context.Context, owner string, q ServiceQuery) ([]shared.Service, error) {
	recs, err := m.store.ListServices(ctx, owner)
	if err != nil {
		return nil, err
	}
	byID := make(map[string]store.ServiceRecord, len(recs))
	for _, r := range recs {
		byID[r.ServiceID] = r
	}
	var out []shared.Service
	for _, s := range m.catalog.All() {
		if r, ok := byID[s.ID]; ok {
			s = withSettings(s, r)
		}
		if q.match(s) {
			out = append(out, s.Public())
		}
	}
	for _, r := range recs {
		if _, builtin := m.catalog.Get(r.ServiceID); builtin || r.Def.BuiltIn {
			continue
		}
		s := r.Def
		s.ClientSecretSet = r.ClientSecret != nil
		if q.match(s) {
			out = append(out, s.Public())
		}
	}
	slices.SortFunc(out, func(a, b shared.Service) int {
		return strings.Compare(strings.ToLower(a.Name), strings.ToLower(b.Name))
	})
	return out, nil
}

// withSettings applies an owner's settings to a built-in service.
func withSettings(s shared.Service, r store.ServiceRecord) shared.Service {
	s.ClientID = r.Def.ClientID
	s.ClientSecretSet = r.ClientSecret != nil
	if len(r.Def.DefaultScopes) > 0 {
		s.DefaultScopes = slices.Clone(r.Def.DefaultScopes)
	}
	s.UpdatedAt = r.Def.UpdatedAt
	return s
}

// Service returns one service as a client may see it.
func (m *Manager) Service(ctx context.Context, owner, id string) (shared.Service, error) {
	s, _, err := m.service(ctx, owner, id)
	if err != nil {
		return shared.Service{}, err
	}
	return s.Public(), nil
}

// service returns a service with its client secret opened, and the
// owner's stored record of it (Version 0 when there is none).
func (m *Manager) service(ctx context.Context, owner, id string) (shared.Service, store.ServiceRecord, error) {
	rec, err := m.store.GetService(ctx, owner, id)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return shared.Service{}, rec, err
	}
	found := err == nil
	s, builtin := m.catalog.Get(id)
	switch {
	case builtin && found:
		s = withSettings(s, rec)
	case builtin:
	case found && !rec.Def.BuiltIn:
		s = rec.Def
		s.ClientSecretSet = rec.ClientSecret != nil
	default:
		return shared.Service{}, rec, notFound("service")
	}
	if rec.ClientSecret != nil {
		secret, err := m.keys.OpenString(*rec.ClientSecret, secretAAD(owner, id))
		if err != nil {
			return shared.Service{}, rec, fmt.Errorf("open client secret of %s: %w", id, err)
		}
		s.ClientSecret = secret
	}
	return s, rec, nil
}

func secretAAD(owner, id string) string { return "service:" + owner + "/" + id + ":client_secret" }

// CreateService stores a custom service. Without an id, one is derived
// from the name. An OAuth 2.0 service that gives an issuer and no
// endpoints has them filled from the issuer's metadata.
func (m *Manager) CreateService(ctx context.Context, owner string, in shared.Service) (shared.Service, error) {
	derived := in.ID == ""
	if derived {
		in.ID = strings.ReplaceAll(shared.SuggestLinkName(in.Name), "_", "-")
		if shared.CheckServiceID(in.ID) != "" {
			in.ID = "service-" + in.ID // a one-letter name gives too short an id
		}
	}
	if _, builtin := m.catalog.Get(in.ID); builtin && !derived {
		return shared.Service{}, fail(shared.CodeDuplicateService,
			"%q is the id of a built-in service; choose another id.", in.ID)
	}
	if in.AuthType == shared.AuthOAuth2 && in.Issuer != "" && in.AuthorizationURL == "" {
		if err := m.discover(ctx, &in); err != nil {
			return shared.Service{}, err
		}
	}
	now := m.clock()
	in.BuiltIn, in.ClientSecretSet, in.Sources = false, false, nil
	in.CreatedAt, in.UpdatedAt = now, now
	in.Normalize()
	if fe := in.Validate(); len(fe) > 0 {
		return shared.Service{}, invalid(fe)
	}

	base := in.ID
	for n := 2; ; n++ {
		if _, builtin := m.catalog.Get(in.ID); !builtin {
			err := m.insertService(ctx, owner, in)
			if err == nil {
				in.ClientSecretSet = in.ClientSecret != ""
				m.auditService(ctx, owner, shared.AuditServiceCreated, in,
					"Created a custom "+in.AuthType.Label()+" service.")
				return in.Public(), nil
			}
			if !errors.Is(err, store.ErrDuplicate) {
				return shared.Service{}, err
			}
			if !derived || n > 50 {
				return shared.Service{}, fail(shared.CodeDuplicateService,
					"You already have a service with the id %q.", in.ID)
			}
		}
		// Room for the suffix keeps the id within its 63 characters.
		in.ID = fmt.Sprintf("%s-%d", strings.TrimRight(base[:min(len(base), 60)], "-_"), n)
	}
}

func (m *Manager) insertService(ctx context.Context, owner string, s shared.Service) error {
	rec := store.ServiceRecord{OwnerID: owner, ServiceID: s.ID, Def: s}
	if err := m.sealSecret(&rec, s.ClientSecret); err != nil {
		return err
	}
	return m.store.InsertService(ctx, rec)
}

func (m *Manager) sealSecret(rec *store.ServiceRecord, secret string) error {
	rec.ClientSecret = nil
	if secret == "" {
		return nil
	}
	sealed, err := m.keys.SealString(secret, secretAAD(rec.OwnerID, rec.ServiceID))
	if err != nil {
		return fmt.Errorf("seal client secret: %w", err)
	}
	rec.ClientSecret = &sealed
	return nil
}

// UpdateService applies a partial definition to a service: each field
// given replaces the stored one, and null removes it. Custom services may
// change everything but their id and type; built-in ones only the owner's
// settings (client id and secret, default scopes).
func (m *Manager) UpdateService(ctx context.Context, owner, id string, patch map[string]json.RawMessage) (shared.Service, error) {
	cur, rec, err := m.service(ctx, owner, id)
	if err != nil {
		return shared.Service{}, err
	}
	// Merging first reports unknown fields and wrong types the same way
	// for built-in and custom services.
	next, err := applyPatch(cur, patch)
	if err != nil {
		return shared.Service{}, err
	}
	if fe := checkPatchFields(patch, cur.BuiltIn); len(fe) > 0 {
		return shared.Service{}, invalid(fe)
	}
	next.UpdatedAt = m.clock()
	next.Normalize()
	if fe := next.Validate(); len(fe) > 0 {
		return shared.Service{}, invalid(fe)
	}

	if rec.Version == 0 {
		rec = store.ServiceRecord{OwnerID: owner, ServiceID: id}
	}
	rec.Def = next
	if cur.BuiltIn {
		rec.Def = shared.Service{ID: id, BuiltIn: true, UpdatedAt: next.UpdatedAt,
			OAuth2: shared.OAuth2{ClientID: next.ClientID, DefaultScopes: next.DefaultScopes}}
	}
	if err := m.sealSecret(&rec, next.ClientSecret); err != nil {
		return shared.Service{}, err
	}
	if rec.Version == 0 {
		err = m.store.InsertService(ctx, rec)
	} else {
		_, err = m.store.ReplaceService(ctx, rec)
	}
	if errors.Is(err, store.ErrConflict) || errors.Is(err, store.ErrDuplicate) {
		return shared.Service{}, fail(shared.CodeWrongStatus,
			"The service was changed by someone else at the same time; try again.")
	}
	if err != nil {
		return shared.Service{}, err
	}
	if changed := changedFields(cur, next, patch); len(changed) > 0 {
		m.auditService(ctx, owner, shared.AuditServiceChanged, next,
			"Changed "+strings.Join(changed, ", ")+".")
	}
	if cur.BuiltIn {
		// Answer what is stored: empty default scopes, for one, mean the
		// catalog's again.
		s, _ := m.catalog.Get(id)
		return withSettings(s, rec).Public(), nil
	}
	next.ClientSecretSet = next.ClientSecret != ""
	return next.Public(), nil
}

// changedFields lists, by their JSON names, the fields of a patch whose
// values differ between before and after. Values are only compared here,
// never kept: the client secret is among them.
func changedFields(before, after shared.Service, patch map[string]json.RawMessage) []string {
	a, b := fieldsOf(before), fieldsOf(after)
	var out []string
	for _, k := range slices.Sorted(maps.Keys(patch)) {
		if !bytes.Equal(a[k], b[k]) {
			out = append(out, k)
		}
	}
	return out
}

// fieldsOf is a service's JSON form, field by field.
func fieldsOf(s shared.Service) map[string]json.RawMessage {
	var doc map[string]json.RawMessage
	_ = json.Unmarshal(mustJSON(s), &doc)
	return doc
}

func checkPatchFields(patch map[string]json.RawMessage, builtin bool) shared.FieldErrors {
	var fe shared.FieldErrors
	for _, k := range slices.Sorted(maps.Keys(patch)) {
		switch {
		case slices.Contains(immutableFields, k):
			if k != "id" && k != "auth_type" {
				fe.Add(k, "cannot be set")
			} else {
				fe.Add(k, "cannot be changed; create a new service instead")
			}
		case builtin && !slices.Contains(builtinSettings, k):
			fe.Add(k, "cannot be changed on a built-in service; only %s can",
				strings.Join(builtinSettings, ", "))
		}
	}
	return fe
}

// applyPatch merges patch into s's JSON form (RFC 7396 style at the top
// level) and decodes the result strictly.
func applyPatch(s shared.Service, patch map[string]json.RawMessage) (shared.Service, error) {
	secret := s.ClientSecret
	raw, err := json.Marshal(s)
	if err != nil {
		return shared.Service{}, fmt.Errorf("encode service: %w", err)
	}
	var doc map[string]json.RawMessage
	if err := json.Unmarshal(raw, &doc); err != nil {
		return shared.Service{}, fmt.Errorf("decode service: %w", err)
	}
	doc["client_secret"] = mustJSON(secret)
	for k, v := range patch {
		if string(v) == "null" {
			delete(doc, k)
			continue
		}
		doc[k] = v
	}
	delete(doc, "client_secret_set")
	merged, err := json.Marshal(doc)
	if err != nil {
		return shared.Service{}, fmt.Errorf("encode service: %w", err)
	}
	var out shared.Service
	if err := decode.JSON(merged, &out); err != nil {
		var de *decode.Error
		if errors.As(err, &de) {
			return shared.Service{}, &Error{Code: de.Code, Detail: de.Detail, Fields: de.Fields()}
		}
		return shared.Service{}, err
	}
	return out, nil
}

func mustJSON(v any) json.RawMessage {
	b, _ := json.Marshal(v)
	return b
}

// DeleteService removes a custom service that no connection uses.
func (m *Manager) DeleteService(ctx context.Context, owner, id string) error {
	if _, builtin := m.catalog.Get(id); builtin {
		return fail(shared.CodeBuiltInReadOnly, "Built-in services cannot be deleted.")
	}
	svc, _, err := m.service(ctx, owner, id)
	if err != nil {
		return err
	}
	n, err := m.store.CountConnections(ctx, owner, id)
	if err != nil {
		return err
	}
	if n > 0 {
		return fail(shared.CodeServiceInUse,
			"%d connection(s) use this service; delete them first.", n)
	}
	if err := m.store.DeleteService(ctx, owner, id); err != nil {
		if errors.Is(err, store.ErrNotFound) {
			return notFound("service")
		}
		return err
	}
	m.auditService(ctx, owner, shared.AuditServiceDeleted, svc, "Deleted.")
	return nil
}
