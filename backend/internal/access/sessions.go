package access

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/plugboard/plugboard/backend/internal/store"
	"github.com/plugboard/plugboard/shared"
)

// touchEvery is how stale a session's recorded last use may get before a
// request writes it again: the idle timeout costs a database write per
// session every few minutes, not one per request.
const touchEvery = 5 * time.Minute

// Session is a signed-in browser's credentials, returned once.
type Session struct {
	Token     string
	CSRFToken string
	OwnerID   string
	ExpiresAt time.Time
	// User is who signed in.
	User shared.User
}

// SignInWithKey starts a browser session for the holder of an API key,
// trying from client address addr.
func (s *Service) SignInWithKey(ctx context.Context, key, addr string) (Session, error) {
	a, err := s.beginAttempt("", addr)
	if err != nil {
		return Session{}, err
	}
	p, err := s.Authenticate(ctx, key)
	a.end(errors.Is(err, ErrUnauthenticated))
	fail := signInFailure{name: "api_key", via: "api_key", addr: addr}
	switch {
	case errors.Is(err, ErrUnauthenticated):
		return Session{}, s.failSignIn(ctx, fail, err, "unknown or revoked API key")
	case errors.Is(err, ErrDisabled):
		return Session{}, s.failSignIn(ctx, fail, err, "the user is disabled")
	case err != nil:
		return Session{}, err
	}
	o, err := s.store.GetOwner(ctx, p.OwnerID)
	if err != nil {
		return Session{}, err
	}
	return s.signIn(ctx, o, "api_key:"+p.KeyID, addr)
}

// SignInWithLoginToken starts a browser session from a one-time sign-in
// token, which is used up, trying from client address addr.
func (s *Service) SignInWithLoginToken(ctx context.Context, token, addr string) (Session, error) {
	a, err := s.beginAttempt("", addr)
	if err != nil {
		return Session{}, err
	}
	t, err := s.store.UseLoginToken(ctx, hash(token), s.now().UTC())
	a.end(errors.Is(err, store.ErrNotFound))
	fail := signInFailure{name: "sign_in_link", via: "sign_in_link", addr: addr}
	if errors.Is(err, store.ErrNotFound) {
		return Session{}, s.failSignIn(ctx, fail, ErrUnauthenticated, "unknown, expired or used sign-in link")
	}
	if err != nil {
		return Session{}, err
	}
	o, err := s.store.GetOwner(ctx, t.OwnerID)
	if errors.Is(err, store.ErrNotFound) {
		return Session{}, s.failSignIn(ctx, fail, ErrUnauthenticated, "the user no longer exists")
	}
	if err != nil {
		return Session{}, err
	}
	if o.Disabled {
		return Session{}, s.failSignIn(ctx, fail, ErrDisabled, "the user is disabled")
	}
	return s.signIn(ctx, o, "sign_in_link", addr)
}

// signInFailure is who tried to sign in, and how.
type signInFailure struct {
	// name is the user who tried (when the username exists), "unknown
	// user", "api_key" or "sign_in_link".
	name, via, addr string
}

// failSignIn records a failed sign-in and returns err.
func (s *Service) failSignIn(ctx context.Context, f signInFailure, err error, why string) error {
	s.audit.Record(ctx, shared.AuditEntry{Action: shared.AuditSignInFailed,
		Outcome: shared.OutcomeFailed, ActorName: f.name, Via: f.via, IP: f.addr, Detail: why})
	return err
}

// signIn starts a session for o, who proved who they are via the given
// means, and records it.
func (s *Service) signIn(ctx context.Context, o store.Owner, via, addr string) (Session, error) {
	sess, err := s.newSession(ctx, o.ID)
	if err != nil {
		return Session{}, err
	}
	now := s.now().UTC().Truncate(time.Millisecond)
	if err := s.store.SetLastSignIn(ctx, o.ID, now); err != nil {
		return Session{}, err
	}
	o.LastSignInAt = now
	sess.User = userOf(o)
	s.audit.Record(ctx, shared.AuditEntry{Action: shared.AuditSignIn, ActorID: o.ID,
		ActorName: o.Username, Via: via, IP: addr, TargetType: "user", TargetID: o.ID,
		TargetName: o.Username, OwnerID: o.ID})
	return sess, nil
}

func (s *Service) newSession(ctx context.Context, owner string) (Session, error) {
	now := s.now().UTC()
	tok := sessionPrefix + randomToken()
	sess := Session{
		Token:     tok,
		CSRFToken: CSRFToken(tok),
		OwnerID:   owner,
		ExpiresAt: now.Add(SessionTTL).Truncate(time.Millisecond),
	}
	err := s.store.InsertSession(ctx, store.Session{
		Hash: hash(sess.Token), OwnerID: owner, CreatedAt: now, ExpiresAt: sess.ExpiresAt,
		LastSeenAt: now,
	})
	if err != nil {
		return Session{}, err
	}
	return sess, nil
}

// SessionPrincipal checks a session cookie's token. A session ends at its
// expiry, after SessionIdle without use, when it is signed out, and when
// its user is disabled.
func (s *Service) SessionPrincipal(ctx context.Context, token string) (Principal, error) {
	if !strings.HasPrefix(token, sessionPrefix) {
		return Principal{}, ErrUnauthenticated
	}
	h := hash(token)
	now := s.now().UTC()
	sess, err := s.store.SessionByHash(ctx, h, now)
	if errors.Is(err, store.ErrNotFound) {
		return Principal{}, ErrUnauthenticated
	}
	if err != nil {
		return Principal{}, err
	}
	seen := sess.LastSeenAt
	if seen.Before(sess.CreatedAt) {
		seen = sess.CreatedAt
	}
	if now.Sub(seen) > SessionIdle {
		return Principal{}, ErrUnauthenticated
	}

	o, err := s.store.GetOwner(ctx, sess.OwnerID)
	if errors.Is(err, store.ErrNotFound) || err == nil && o.Disabled {
		return Principal{}, ErrUnauthenticated
	}
	if err != nil {
		return Principal{}, err
	}
	if now.Sub(seen) > touchEvery {
		if err := s.store.TouchSession(ctx, h, now); err != nil {
			return Principal{}, err
		}
	}
	p := principalOf(o)
	p.csrf, p.session, p.SessionExpires = CSRFToken(token), h, sess.ExpiresAt
	return p, nil
}

// CSRFToken derives a session's CSRF token from its secret token, so it
// needs no storage and can be handed out again. Another site can neither
// read the HttpOnly cookie nor, without it, compute this value.
func CSRFToken(sessionToken string) string {
	mac := hmac.New(sha256.New, []byte(sessionToken))
	mac.Write([]byte("plugboard csrf v1"))
	return base64.RawURLEncoding.EncodeToString(mac.Sum(nil))
}

// CSRF returns the CSRF token of p's session; "" for API keys.
func (p Principal) CSRF() string { return p.csrf }

// CheckCSRF reports whether token is the CSRF token of p's session.
func (p Principal) CheckCSRF(token string) bool {
	if p.csrf == "" || token == "" {
		return false
	}
	return subtle.ConstantTimeCompare([]byte(token), []byte(p.csrf)) == 1
}

// SignOut ends the session p acts through, if it is one.
func (s *Service) SignOut(ctx context.Context, p Principal) error {
	if p.session == "" {
		return nil
	}
	if err := s.store.DeleteSession(ctx, p.session); err != nil {
		return err
	}
	s.audit.Record(ctx, shared.AuditEntry{Action: shared.AuditSignOut, TargetType: "user",
		TargetID: p.OwnerID, TargetName: p.Username, OwnerID: p.OwnerID})
	return nil
}

// EndSessions ends every session of the user p acts for, p's own too.
func (s *Service) EndSessions(ctx context.Context, p Principal) error {
	n, err := s.store.DeleteSessionsOf(ctx, p.OwnerID, "")
	if err != nil {
		return err
	}
	s.audit.Record(ctx, shared.AuditEntry{Action: shared.AuditSessionsEnded, TargetType: "user",
		TargetID: p.OwnerID, TargetName: p.Username, OwnerID: p.OwnerID,
		Detail: fmt.Sprintf("%d sessions ended", n)})
	return nil
}

// NewLoginToken issues a one-time sign-in token for an owner.
func (s *Service) NewLoginToken(ctx context.Context, owner string) (string, error) {
	tok := loginPrefix + randomToken()
	err := s.store.InsertLoginToken(ctx, store.LoginToken{
		Hash: hash(tok), OwnerID: owner, ExpiresAt: s.now().UTC().Add(LoginTokenTTL),
	})
	if err != nil {
		return "", err
	}
	return tok, nil
}
