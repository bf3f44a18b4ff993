package access

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/plugboard/plugboard/backend/internal/store"
	"github.com/plugboard/plugboard/shared"
)

// Errors of user management.
var (
	ErrUserNotFound      = errors.New("access: no such user")
	ErrDuplicateUsername = errors.New("access: username taken")
	// ErrLastAdmin: the change would leave no active admin.
	ErrLastAdmin = errors.New("access: last active admin")
	// ErrUserHasRecords: the user still owns services or connections.
	ErrUserHasRecords = errors.New("access: user owns records")
	// ErrBusy: another change to users is under way; try again.
	ErrBusy = errors.New("access: users are being changed")
)

// userOf is what the API shows of owner o; never the password hash.
func userOf(o store.Owner) shared.User {
	u := shared.User{
		ID:           o.ID,
		Username:     o.Username,
		Name:         o.Name,
		Role:         o.Role,
		Disabled:     o.Disabled,
		HasPassword:  o.PasswordHash != "",
		CreatedAt:    o.CreatedAt,
		LastSignInAt: o.LastSignInAt,
	}
	if u.Name == "" {
		u.Name = u.Username
	}
	if !u.Role.Valid() {
		u.Role = shared.RoleMember
	}
	return u
}

// userEntry is the audit entry of something done to the user o.
func userEntry(action shared.AuditAction, o store.Owner, detail string) shared.AuditEntry {
	return shared.AuditEntry{Action: action, TargetType: "user", TargetID: o.ID,
		TargetName: o.Username, OwnerID: o.ID, Detail: detail}
}

// ListUsers describes every user, oldest first.
func (s *Service) ListUsers(ctx context.Context) ([]shared.User, error) {
	owners, err := s.store.ListOwners(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]shared.User, len(owners))
	for i, o := range owners {
		out[i] = userOf(o)
	}
	return out, nil
}

// GetUser describes one user.
func (s *Service) GetUser(ctx context.Context, id string) (shared.User, error) {
	o, err := s.owner(ctx, id)
	if err != nil {
		return shared.User{}, err
	}
	return userOf(o), nil
}

// owner reads the owner with the given id; ErrUserNotFound when none.
func (s *Service) owner(ctx context.Context, id string) (store.Owner, error) {
	o, err := s.store.GetOwner(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return store.Owner{}, ErrUserNotFound
	}
	return o, err
}

// CreateUser adds a user with a password, as by, who must hold every
// right (else ErrNeedsAllRights): the password signs in with all of them.
func (s *Service) CreateUser(ctx context.Context, by Principal, in shared.UserInput) (shared.User, error) {
	if !by.CanAll() {
		return shared.User{}, ErrNeedsAllRights
	}
	if err := in.Check(); err != nil {
		return shared.User{}, err
	}
	h, err := hashPassword(in.Password)
	if err != nil {
		return shared.User{}, err
	}

	o := store.Owner{ID: store.NewID(), Username: in.Username, Name: in.Name, Role: in.Role,
		PasswordHash: h, CreatedAt: s.now().UTC().Truncate(time.Millisecond)}
	err = s.store.InsertOwner(ctx, o)
	if errors.Is(err, store.ErrDuplicate) {
		return shared.User{}, ErrDuplicateUsername
	}
	if err != nil {
		return shared.User{}, err
	}
	s.audit.Record(ctx, userEntry(shared.AuditUserCreated, o, "role: "+string(in.Role)))
	return userOf(o), nil
}

// UpdateUser applies an admin's change to a user; by must hold every
// right (else ErrNeedsAllRights). Disabling a user or setting their
// password ends their sessions; disabling them also stops their API keys.
// An admin who is disabled or made a member stops sharing their
// connections. No change may leave no active admin, and nobody may
// disable themselves.
func (s *Service) UpdateUser(ctx context.Context, by Principal, id string, p shared.UserPatch) (shared.User, error) {
	if !by.CanAll() {
		return shared.User{}, ErrNeedsAllRights
	}
	if err := p.Check(); err != nil {
		return shared.User{}, err
	}
	if p.Disabled != nil && *p.Disabled && id == by.OwnerID {
		return shared.User{}, shared.FieldErrors{{Field: "disabled", Message: "you cannot disable yourself"}}
	}
	// A reset skips the current password; for yourself that would let a
	// stolen session lock the real person out.
	if p.Password != nil && id == by.OwnerID {
		return shared.User{}, shared.FieldErrors{{Field: "password",
			Message: "change your own password on your account page (PUT /api/v1/account/password), which asks for the current one"}}
	}
	var passwordHash string
	if p.Password != nil {
		h, err := hashPassword(*p.Password)
		if err != nil {
			return shared.User{}, err
		}
		passwordHash = h
	}

	o, words, err := s.applyPatch(ctx, id, p, passwordHash)
	if err != nil {
		return shared.User{}, err
	}
	if len(words) > 0 {
		s.audit.Record(ctx, userEntry(shared.AuditUserChanged, o, strings.Join(words, ", ")))
	}
	return userOf(o), nil
}

// applyPatch changes the user with the given id as p says, and returns
// them afterwards with the changes in words (none when nothing changed).
func (s *Service) applyPatch(ctx context.Context, id string, p shared.UserPatch,
	passwordHash string) (store.Owner, []string, error) {
	unlock, err := s.lockUsers(ctx)
	if err != nil {
		return store.Owner{}, nil, err
	}
	defer unlock()

	o, err := s.owner(ctx, id)
	if err != nil {
		return store.Owner{}, nil, err
	}
	ch, words, err := s.change(ctx, o, p, passwordHash)
	if err != nil || len(words) == 0 {
		return o, nil, err
	}
	next, err := s.store.UpdateOwner(ctx, id, ch)
	if errors.Is(err, store.ErrNotFound) {
		return store.Owner{}, nil, ErrUserNotFound
	}
	if err != nil {
		return store.Owner{}, nil, err
	}
	ended, err := s.afterChange(ctx, o, next, ch)
	return next, append(words, ended...), err
}

// change turns a patch of o, with the hash of the new password if it
// sets one, into a store change, described in words for the audit trail.
// It refuses one that leaves no active admin.
func (s *Service) change(ctx context.Context, o store.Owner, p shared.UserPatch,
	passwordHash string) (store.OwnerChange, []string, error) {
	var (
		ch    store.OwnerChange
		words []string
		cur   = userOf(o)
	)
	if p.Name != nil && *p.Name != o.Name {
		ch.Name = p.Name
		words = append(words, "name changed")
	}
	if p.Role != nil && *p.Role != cur.Role {
		ch.Role = p.Role
		words = append(words, fmt.Sprintf("role: %s → %s", cur.Role, *p.Role))
	}
	if p.Disabled != nil && *p.Disabled != o.Disabled {
		ch.Disabled = p.Disabled
		words = append(words, enabledWord(*p.Disabled))
	}
	if passwordHash != "" {
		ch.PasswordHash = &passwordHash
		words = append(words, "password reset")
	}

	losesAdmin := ch.Role != nil || ch.Disabled != nil && *ch.Disabled
	if cur.Role == shared.RoleAdmin && !o.Disabled && losesAdmin {
		if err := s.keepAnAdmin(ctx); err != nil {
			return ch, nil, err
		}
	}
	return ch, words, nil
}

func enabledWord(disabled bool) string {
	if disabled {
		return "disabled"
	}
	return "enabled"
}

// keepAnAdmin fails with ErrLastAdmin unless there is another active
// admin besides the one about to stop being one.
func (s *Service) keepAnAdmin(ctx context.Context) error {
	n, err := s.store.CountActiveAdmins(ctx)
	if err != nil {
		return err
	}
	if n <= 1 {
		return ErrLastAdmin
	}
	return nil
}

// afterChange ends what a change of a user from was to o stops: their
// sessions when they were disabled or got a new password, the shares of
// their connections when they may no longer share, and the cached checks
// of their keys whatever changed. It says in words what it ended beyond
// sessions and cached checks.
func (s *Service) afterChange(ctx context.Context, was, o store.Owner, ch store.OwnerChange) ([]string, error) {
	s.forgetKeys(o.ID)
	if o.Disabled || ch.PasswordHash != nil {
		if _, err := s.store.DeleteSessionsOf(ctx, o.ID, ""); err != nil {
			return nil, err
		}
	}
	if !mayShare(was) || mayShare(o) {
		return nil, nil
	}
	// Only active admins may share: a share must not outlive the role
	// that allowed it.
	n, err := s.store.DeleteSharesOfOwner(ctx, o.ID)
	if err != nil || n == 0 {
		return nil, err
	}
	return []string{"shares of their connections ended"}, nil
}

// mayShare reports whether o may share connections: an active admin.
func mayShare(o store.Owner) bool {
	return userOf(o).Role == shared.RoleAdmin && !o.Disabled
}

// DeleteUser removes a user with their API keys, sessions and settings
// of built-in services; by must hold every right (else
// ErrNeedsAllRights). A user who still owns custom services or
// connections is refused with ErrUserHasRecords, and nobody may delete
// themselves.
func (s *Service) DeleteUser(ctx context.Context, by Principal, id string) error {
	if !by.CanAll() {
		return ErrNeedsAllRights
	}
	if id == by.OwnerID {
		return shared.FieldErrors{{Field: "id", Message: "you cannot delete yourself"}}
	}
	unlock, err := s.lockUsers(ctx)
	if err != nil {
		return err
	}
	defer unlock()

	o, err := s.owner(ctx, id)
	if err != nil {
		return err
	}
	if err := s.checkDeletable(ctx, o); err != nil {
		return err
	}
	if err := s.store.DeleteOwner(ctx, id); err != nil {
		return err
	}
	s.forgetKeys(id)
	if err := s.store.DeleteAccess(ctx, id); err != nil {
		return err
	}
	// Connections shared with the user are no longer theirs to use.
	if err := s.store.DeleteSharesWith(ctx, id); err != nil {
		return err
	}
	s.audit.Record(ctx, userEntry(shared.AuditUserDeleted, o, ""))
	return nil
}

// checkDeletable refuses to delete the last active admin, or a user who
// owns records that would be orphaned.
func (s *Service) checkDeletable(ctx context.Context, o store.Owner) error {
	if o.Role == shared.RoleAdmin && !o.Disabled {
		if err := s.keepAnAdmin(ctx); err != nil {
			return err
		}
	}
	svcs, conns, err := s.store.CountRecords(ctx, o.ID)
	if err != nil {
		return err
	}
	if svcs > 0 || conns > 0 {
		return &RecordsError{Services: svcs, Connections: conns}
	}
	return nil
}

// RecordsError says what a user still owns; it matches ErrUserHasRecords.
type RecordsError struct {
	Services, Connections int64
}

func (e *RecordsError) Error() string {
	return fmt.Sprintf("access: user owns %d services and %d connections", e.Services, e.Connections)
}

// Is makes errors.Is(err, ErrUserHasRecords) true.
func (e *RecordsError) Is(target error) bool { return target == ErrUserHasRecords }

// usersLease is the lease held while changing users in ways that could
// leave no active admin, and how long to wait for it.
const (
	usersLease     = "users"
	usersLeaseTTL  = 30 * time.Second
	usersLeaseWait = 3 * time.Second
)

// lockUsers makes sure no other change that could remove an admin runs
// meanwhile, on this instance or another, and returns the function that
// ends that. Counting admins and then changing one is not atomic; taking
// a lease (a unique insert) is the one thing both MongoDB and FerretDB
// make atomic.
func (s *Service) lockUsers(ctx context.Context) (func(), error) {
	s.users.Lock()
	holder := store.NewID()
	deadline := s.now().Add(usersLeaseWait)
	for {
		ok, err := s.store.AcquireLease(ctx, usersLease, holder, s.now(), usersLeaseTTL)
		if err != nil {
			s.users.Unlock()
			return nil, err
		}
		if ok {
			break
		}
		if s.now().After(deadline) {
			s.users.Unlock()
			return nil, ErrBusy
		}
		select {
		case <-ctx.Done():
			s.users.Unlock()
			return nil, ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
	}
	return func() {
		_ = s.store.ReleaseLease(context.WithoutCancel(ctx), usersLease, holder)
		s.users.Unlock()
	}, nil
}
