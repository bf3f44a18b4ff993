package access

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/plugboard/plugboard/backend/internal/store"
	"github.com/plugboard/plugboard/shared"
)

// Errors of API keys.
var (
	// ErrKeyNotFound: the owner has no API key with that id.
	ErrKeyNotFound = errors.New("access: no such api key")
	// ErrRightsExceeded: a new key would hold a right its creator lacks.
	ErrRightsExceeded = errors.New("access: rights beyond the caller's")
)

// RightsError names the rights a caller asked to give a new key without
// holding them; it matches ErrRightsExceeded.
type RightsError struct {
	Missing []shared.Right
}

func (e *RightsError) Error() string {
	return fmt.Sprintf("access: the caller lacks rights %v", e.Missing)
}

// Is makes errors.Is(err, ErrRightsExceeded) true.
func (e *RightsError) Is(target error) bool { return target == ErrRightsExceeded }

// Can reports whether p holds right r. Sessions started with a password
// or a sign-in link hold every right; API keys, and sessions started with
// one, hold the key's.
func (p Principal) Can(r shared.Right) bool {
	return !p.limited || slices.Contains(p.rights, r)
}

// CanAll reports whether p holds every right: what changing passwords
// and users needs, since either leads to a session that may do anything.
func (p Principal) CanAll() bool {
	for _, r := range shared.AllRights {
		if !p.Can(r) {
			return false
		}
	}
	return true
}

// withRights limits p to rights.
func (p Principal) withRights(rights []shared.Right) Principal {
	p.limited, p.rights = true, rights
	return p
}

// Authenticate checks an API key. Answers are cached briefly so that busy
// callers do not cost a database read per request, and callers that miss
// the cache together share one read. A key of a disabled user fails with
// ErrDisabled.
func (s *Service) Authenticate(ctx context.Context, key string) (Principal, error) {
	h := hash(key)
	now := s.now()
	s.mu.Lock()
	c, ok := s.cache[h]
	s.mu.Unlock()
	if ok && now.Sub(c.checked) < keyCacheTTL {
		return c.p, nil
	}

	// The read serves every caller waiting for it, so the first one
	// going away must not cancel it.
	v, err, _ := s.checking.Do(h, func() (any, error) {
		cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), checkTimeout)
		defer cancel()
		return s.check(cctx, h)
	})
	if err != nil {
		return Principal{}, err
	}
	return v.(Principal), nil
}

// check reads the key with hash h and its user, and caches the answer.
func (s *Service) check(ctx context.Context, h string) (Principal, error) {
	s.mu.Lock()
	epoch := s.epoch
	s.mu.Unlock()

	k, err := s.store.KeyByHash(ctx, h)
	if errors.Is(err, store.ErrNotFound) {
		return Principal{}, ErrUnauthenticated
	}
	if err != nil {
		return Principal{}, err
	}
	o, err := s.store.GetOwner(ctx, k.OwnerID)
	if errors.Is(err, store.ErrNotFound) {
		return Principal{}, ErrUnauthenticated
	}
	if err != nil {
		return Principal{}, err
	}
	if o.Disabled {
		return Principal{}, ErrDisabled
	}

	now := s.now()
	p := principalOf(o)
	p = p.withRights(keyRights(k.Rights))
	p.KeyID = k.ID
	_ = s.store.TouchKey(ctx, k.ID, now.UTC())
	s.mu.Lock()
	if len(s.cache) > 10000 {
		clear(s.cache)
	}
	if s.epoch == epoch {
		s.cache[h] = cachedKey{p: p, checked: now}
	}
	s.mu.Unlock()
	return p, nil
}

// forgetKeys drops the cached checks of a user's keys, so that a change
// to the user (disabled, another role, deleted) applies to their keys at
// once on this server instance. Other instances trust their cached checks
// for at most keyCacheTTL.
func (s *Service) forgetKeys(owner string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.epoch++
	for h, c := range s.cache {
		if c.p.OwnerID == owner {
			delete(s.cache, h)
		}
	}
}

// CreateKey gives the user by acts for a new API key with the rights in,
// which by must hold all of (else a *RightsError). The key is returned
// once, in the answer; only its hash is stored.
func (s *Service) CreateKey(ctx context.Context, by Principal, in shared.KeyInput) (shared.NewAPIKey, error) {
	if err := in.Check(); err != nil {
		return shared.NewAPIKey{}, err
	}
	var missing []shared.Right
	for _, r := range in.Rights {
		if !by.Can(r) {
			missing = append(missing, r)
		}
	}
	if len(missing) > 0 {
		return shared.NewAPIKey{}, &RightsError{Missing: missing}
	}

	key := keyPrefix + randomToken()
	k := store.APIKey{
		ID: store.NewID(), OwnerID: by.OwnerID, Name: in.Name, Hash: hash(key),
		Rights: rightNames(in.Rights), CreatedAt: s.now().UTC().Truncate(time.Millisecond),
	}
	if err := s.store.InsertKey(ctx, k); err != nil {
		return shared.NewAPIKey{}, err
	}
	s.audit.Record(ctx, keyEntry(shared.AuditKeyCreated, k))
	return shared.NewAPIKey{APIKey: describe(k), Key: key}, nil
}

// ListKeys describes an owner's API keys, oldest first.
func (s *Service) ListKeys(ctx context.Context, owner string) ([]shared.APIKey, error) {
	keys, err := s.store.ListKeys(ctx, owner)
	if err != nil {
		return nil, err
	}
	out := make([]shared.APIKey, len(keys))
	for i, k := range keys {
		out[i] = describe(k)
	}
	return out, nil
}

// DeleteKey revokes an owner's API key and ends the sessions started
// with it. It stops working at once on this server instance; other
// instances trust their cached check of it for at most keyCacheTTL.
// Sessions started with it end everywhere at once.
func (s *Service) DeleteKey(ctx context.Context, owner, id string) error {
	k, err := s.store.DeleteKey(ctx, owner, id)
	if errors.Is(err, store.ErrNotFound) {
		return ErrKeyNotFound
	}
	if err != nil {
		return err
	}
	s.mu.Lock()
	delete(s.cache, k.Hash)
	s.mu.Unlock()
	s.checking.Forget(k.Hash)
	s.audit.Record(ctx, keyEntry(shared.AuditKeyRevoked, k))
	return s.store.DeleteKeySessions(ctx, k.ID)
}

// keyEntry is the audit entry of something done to key k.
func keyEntry(action shared.AuditAction, k store.APIKey) shared.AuditEntry {
	return shared.AuditEntry{Action: action, TargetType: "api_key", TargetID: k.ID,
		TargetName: k.Name, OwnerID: k.OwnerID}
}

// describe is what the API shows of a stored key.
func describe(k store.APIKey) shared.APIKey {
	return shared.APIKey{
		ID:         k.ID,
		Name:       k.Name,
		Rights:     keyRights(k.Rights),
		CreatedAt:  k.CreatedAt,
		LastUsedAt: k.LastUsedAt,
	}
}

// keyRights reads stored rights. A key stored before rights existed has
// none recorded and keeps the all-rights access it was created with.
func keyRights(names []string) []shared.Right {
	if len(names) == 0 {
		return slices.Clone(shared.AllRights)
	}
	return storedRights(names)
}

// storedRights reads the rights named, and no others.
func storedRights(names []string) []shared.Right {
	out := make([]shared.Right, 0, len(names))
	for _, r := range shared.AllRights {
		if slices.Contains(names, string(r)) {
			out = append(out, r)
		}
	}
	return out
}

// rightNames is how rights are stored.
func rightNames(rights []shared.Right) []string {
	out := make([]string, len(rights))
	for i, r := range rights {
		out[i] = string(r)
	}
	return out
}

// allRights is what the first key of an owner holds.
func allRights() []string { return rightNames(shared.AllRights) }
