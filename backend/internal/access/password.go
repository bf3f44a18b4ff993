package access

import (
	"context"
	"errors"
	"fmt"

	"golang.org/x/crypto/bcrypt"

	"github.com/plugboard/plugboard/backend/internal/store"
	"github.com/plugboard/plugboard/shared"
)

// bcryptCost is the work factor of stored password hashes: about a
// quarter of a second per check on a current server core.
const bcryptCost = 12

// dummyHash is compared with the password given for a username that does
// not exist or has no password, so that the answer takes as long as for a
// real user and its timing does not tell which usernames exist. It is the
// cost-12 hash of a value no password is compared equal to by chance.
const dummyHash = "$2a$12$NYVeK.PL1TRMq3jsFWoYy.t57agqtx8lj0PlQBTeDzshk9tiw56yO"

// hashPassword returns the bcrypt hash of pw.
func hashPassword(pw string) (string, error) {
	h, err := bcrypt.GenerateFromPassword([]byte(pw), bcryptCost)
	if err != nil {
		return "", fmt.Errorf("hash password: %w", err)
	}
	return string(h), nil
}

// passwordMatches reports whether pw is the password of o. Owners without
// a password are compared with dummyHash, and never match.
func passwordMatches(o store.Owner, pw string) bool {
	h := o.PasswordHash
	if h == "" {
		h = dummyHash
	}
	ok := bcrypt.CompareHashAndPassword([]byte(h), []byte(pw)) == nil
	return ok && o.PasswordHash != ""
}

// SignInWithPassword starts a browser session for the user with username
// and password, trying from client address addr. Wrong usernames, wrong
// passwords and disabled users fail alike, with ErrUnauthenticated, so
// the answer tells nothing about the user; the audit trail keeps the
// reason. Too many failures fail with a *RateLimitError.
func (s *Service) SignInWithPassword(ctx context.Context, username, password, addr string) (Session, error) {
	a, err := s.beginAttempt(username, addr)
	if err != nil {
		return Session{}, err
	}
	o, err := s.store.OwnerByUsername(ctx, username)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		a.end(false)
		return Session{}, err
	}
	ok := passwordMatches(o, password)
	a.end(!ok)

	// The trail names the user only when one has that username: people
	// type their password into the username field, and what they typed
	// there must not be kept.
	fail := signInFailure{name: "unknown user", via: "password", addr: addr}
	if o.ID != "" {
		fail.name = o.Username
	}
	switch {
	case !ok:
		return Session{}, s.failSignIn(ctx, fail, ErrUnauthenticated, "wrong username or password")
	case o.Disabled:
		return Session{}, s.failSignIn(ctx, fail, ErrUnauthenticated, "the user is disabled")
	}
	return s.signIn(ctx, o, fullGrant("password"), addr)
}

// ChangePassword sets the password of the user p acts for, and ends
// their other sessions. p must hold every right (else ErrNeedsAllRights):
// a password signs in with all of them. A user who has a password must
// give it as in.CurrentPassword; a wrong one counts against the sign-in
// limits.
func (s *Service) ChangePassword(ctx context.Context, p Principal, in shared.PasswordChange, addr string) error {
	if !p.CanAll() {
		return ErrNeedsAllRights
	}
	if err := in.Check(); err != nil {
		return err
	}
	o, err := s.store.GetOwner(ctx, p.OwnerID)
	if err != nil {
		return err
	}
	if err := s.checkCurrentPassword(ctx, o, in.CurrentPassword, addr); err != nil {
		return err
	}

	h, err := hashPassword(in.NewPassword)
	if err != nil {
		return err
	}
	if _, err := s.store.UpdateOwner(ctx, o.ID, store.OwnerChange{PasswordHash: &h}); err != nil {
		return err
	}
	s.forgetKeys(o.ID)
	if _, err := s.store.DeleteSessionsOf(ctx, o.ID, p.session); err != nil {
		return err
	}
	s.audit.Record(ctx, userEntry(shared.AuditPasswordChanged, o, "other sessions ended"))
	return nil
}

// checkCurrentPassword checks the password a user gives to change it.
func (s *Service) checkCurrentPassword(ctx context.Context, o store.Owner, pw, addr string) error {
	if o.PasswordHash == "" {
		return nil
	}
	if pw == "" {
		return shared.FieldErrors{{Field: "current_password", Message: "is required to change your password"}}
	}
	a, err := s.beginAttempt(o.Username, addr)
	if err != nil {
		return err
	}
	ok := passwordMatches(o, pw)
	a.end(!ok)
	if !ok {
		e := userEntry(shared.AuditPasswordChanged, o, "wrong current password")
		e.Outcome = shared.OutcomeFailed
		s.audit.Record(ctx, e)
		return shared.FieldErrors{{Field: "current_password", Message: "is not your current password"}}
	}
	return nil
}
