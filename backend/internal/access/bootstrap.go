package access

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/plugboard/plugboard/backend/internal/store"
	"github.com/plugboard/plugboard/shared"
)

// FirstUsername is the username of the admin the first start creates.
const FirstUsername = "admin"

// Bootstrap is what a server start prepared for signing in.
type Bootstrap struct {
	// APIKey is set when a key was created now; it is never shown again.
	APIKey string
	// LoginToken is a one-time sign-in token for the first admin, issued
	// only while no active admin has a password.
	LoginToken string
	FirstStart bool
}

// Bootstrap makes sure an admin exists. On the first start it creates
// one, "admin", without a password and with an API key (the preset one
// when given, else a fresh one, returned to be shown once). Every start
// first gives users stored before usernames and roles existed theirs,
// and ends sessions stored before sessions recorded their rights. While
// no active admin has a password, it issues a one-time sign-in token for
// the oldest active admin: without it nobody could sign in to the web
// app. Once one has, admins sign in with their password, or with a link
// from IssueSignInToken.
func (s *Service) Bootstrap(ctx context.Context, presetKey string) (Bootstrap, error) {
	var b Bootstrap
	owners, err := s.migrate(ctx)
	if err != nil {
		return b, err
	}
	if len(owners) == 0 {
		b, err = s.createFirstAdmin(ctx, presetKey)
		if !errors.Is(err, store.ErrDuplicate) {
			return b, err
		}
		// Another instance starting at the same time created it.
		if owners, err = s.store.ListOwners(ctx); err != nil {
			return b, err
		}
	}
	if adminHasPassword(owners) {
		return b, nil
	}
	b.LoginToken, err = s.NewLoginToken(ctx, firstAdmin(owners).ID)
	return b, err
}

// adminHasPassword reports whether an active admin among owners has a
// password.
func adminHasPassword(owners []store.Owner) bool {
	for _, o := range owners {
		if o.Role == shared.RoleAdmin && !o.Disabled && o.PasswordHash != "" {
			return true
		}
	}
	return false
}

// IssueSignInToken issues a one-time sign-in token for the active user
// with the given username, for an operator at the command line, and
// records that in the audit trail. Users stored before usernames existed
// get theirs first, as at a server start. It fails with ErrUserNotFound
// or ErrDisabled.
func (s *Service) IssueSignInToken(ctx context.Context, username string) (string, error) {
	if _, err := s.migrate(ctx); err != nil {
		return "", err
	}
	o, err := s.store.OwnerByUsername(ctx, username)
	if errors.Is(err, store.ErrNotFound) {
		return "", ErrUserNotFound
	}
	if err != nil {
		return "", err
	}
	if o.Disabled {
		return "", ErrDisabled
	}
	tok, err := s.NewLoginToken(ctx, o.ID)
	if err != nil {
		return "", err
	}
	const detail = "one-time sign-in link issued from the command line"
	s.audit.Record(ctx, userEntry(shared.AuditUserChanged, o, detail))
	return tok, nil
}

// createFirstAdmin stores the first admin and their key.
func (s *Service) createFirstAdmin(ctx context.Context, presetKey string) (Bootstrap, error) {
	// Check the preset key before anything is stored: a user without a
	// key or a password could sign in only with sign-in links.
	key := presetKey
	if key == "" {
		key = keyPrefix + randomToken()
	}
	if len(key) < 16 {
		return Bootstrap{}, fmt.Errorf("PLUGBOARD_API_KEY must be at least 16 characters")
	}
	now := s.now().UTC().Truncate(time.Millisecond)
	o := store.Owner{ID: store.NewID(), Username: FirstUsername, Role: shared.RoleAdmin, CreatedAt: now}
	if err := s.store.InsertOwner(ctx, o); err != nil {
		return Bootstrap{}, err
	}
	if err := s.store.InsertKey(ctx, store.APIKey{
		ID: store.NewID(), OwnerID: o.ID, Name: "first key", Hash: hash(key),
		Rights: allRights(), CreatedAt: now,
	}); err != nil {
		return Bootstrap{}, err
	}
	b := Bootstrap{FirstStart: true}
	if presetKey == "" {
		b.APIKey = key
	}
	var err error
	b.LoginToken, err = s.NewLoginToken(ctx, o.ID)
	return b, err
}

// firstAdmin is the oldest active admin of owners (oldest first), or the
// oldest owner when there is none.
func firstAdmin(owners []store.Owner) store.Owner {
	for _, o := range owners {
		if o.Role == shared.RoleAdmin && !o.Disabled {
			return o
		}
	}
	return owners[0]
}

// migrate gives owners stored before users existed a username and a
// role: the oldest becomes the admin "admin" when there is no admin, the
// others members named "user-" and the start of their id. It then makes
// usernames unique, ends sessions stored before sessions recorded how
// they were started, and returns every owner, oldest first.
func (s *Service) migrate(ctx context.Context) ([]store.Owner, error) {
	owners, err := s.store.ListOwners(ctx)
	if err != nil {
		return nil, err
	}
	taken := map[string]bool{}
	hasAdmin := false
	for _, o := range owners {
		taken[o.Username] = o.Username != ""
		hasAdmin = hasAdmin || o.Role == shared.RoleAdmin
	}
	for i, o := range owners {
		var ch store.OwnerChange
		if !hasAdmin && i == 0 {
			ch.Role = ptr(shared.RoleAdmin)
			if o.Username == "" && !taken[FirstUsername] {
				ch.Username = ptr(FirstUsername)
			}
		} else if !o.Role.Valid() {
			ch.Role = ptr(shared.RoleMember)
		}
		if o.Username == "" && ch.Username == nil {
			ch.Username = ptr(legacyUsername(o.ID, taken))
		}
		if ch == (store.OwnerChange{}) {
			continue
		}
		if ch.Username != nil {
			taken[*ch.Username] = true
		}
		if owners[i], err = s.store.UpdateOwner(ctx, o.ID, ch); err != nil {
			return nil, fmt.Errorf("migrate owner %s: %w", o.ID, err)
		}
	}
	if err := s.store.EnsureUsernameIndex(ctx); err != nil {
		return nil, err
	}
	// A session stored before sessions recorded how they were started
	// may have been started with an API key of fewer rights: it cannot be
	// told apart, so it ends.
	if _, err := s.store.DeleteUnmarkedSessions(ctx); err != nil {
		return nil, err
	}
	return owners, nil
}

// legacyUsername names a user stored before usernames existed. The start
// of an id is its creation time, which owners created in the same second
// share; those get the whole id.
func legacyUsername(id string, taken map[string]bool) string {
	name := "user-" + id[:min(8, len(id))]
	if taken[name] {
		name = "user-" + id
	}
	return name
}

// CreateOwner adds a member with their own API key, returned once. The
// username is made from name, with a number added when it is taken. Tests
// use it to prove that users cannot reach each other's records.
func (s *Service) CreateOwner(ctx context.Context, name string) (ownerID, key string, err error) {
	now := s.now().UTC().Truncate(time.Millisecond)
	o := store.Owner{ID: store.NewID(), Name: name, Role: shared.RoleMember, CreatedAt: now}
	base := usernameFrom(name)
	for n := 1; ; n++ {
		o.Username = base
		if n > 1 {
			o.Username = fmt.Sprintf("%s-%d", base, n)
		}
		err = s.store.InsertOwner(ctx, o)
		if err == nil {
			break
		}
		if !errors.Is(err, store.ErrDuplicate) || n >= 100 {
			return "", "", err
		}
	}

	key = keyPrefix + randomToken()
	err = s.store.InsertKey(ctx, store.APIKey{
		ID: store.NewID(), OwnerID: o.ID, Name: "first key", Hash: hash(key),
		Rights: allRights(), CreatedAt: now,
	})
	return o.ID, key, err
}

// notUsername matches runs of characters usernames may not hold.
var notUsername = regexp.MustCompile(`[^a-z0-9._-]+`)

// usernameFrom makes a username out of a display name.
func usernameFrom(name string) string {
	u := notUsername.ReplaceAllString(strings.ToLower(name), "-")
	u = strings.TrimLeft(u, "._-")
	u = strings.TrimRight(u[:min(len(u), 56)], "._-")
	if len(u) < 2 {
		return "user"
	}
	return u
}

func ptr[T any](v T) *T { return &v }
