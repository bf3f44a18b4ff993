package access

import (
	"context"
	"errors"
	"slices"
	"time"

	"github.com/plugboard/plugboard/backend/internal/store"
	"github.com/plugboard/plugboard/shared"
)

// ErrKeyNotFound: the owner has no API key with that id.
var ErrKeyNotFound = errors.New("access: no such api key")

// Can reports whether p holds right r. Browser sessions hold every right.
func (p Principal) Can(r shared.Right) bool {
	return p.KeyID == "" || slices.Contains(p.rights, r)
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
	p.KeyID, p.rights = k.ID, keyRights(k.Rights)
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

// CreateKey gives an owner a new API key with the rights in. The key is
// returned once, in the answer; only its hash is stored.
func (s *Service) CreateKey(ctx context.Context, owner string, in shared.KeyInput) (shared.NewAPIKey, error) {
	if err := in.Check(); err != nil {
		return shared.NewAPIKey{}, err
	}

	key := keyPrefix + randomToken()
	k := store.APIKey{
		ID: store.NewID(), OwnerID: owner, Name: in.Name, Hash: hash(key),
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

// DeleteKey revokes an owner's API key. It stops working at once on this
// server instance; other instances trust their cached check of it for at
// most keyCacheTTL.
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
	return nil
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
