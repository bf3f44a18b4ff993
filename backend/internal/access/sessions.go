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

// grant is how a session was started, and what it may do.
type grant struct {
	// via names the means: "password", "sign_in_link" or
	// "api_key:<key id>".
	via string
	// keyID is the API key a session was started with, whose rights
	// bound it; empty for a session that may do everything.
	keyID  string
	rights []shared.Right
}

// fullGrant is a session started with a password or a sign-in link: it
// may do everything.
func fullGrant(via string) grant { return grant{via: via} }

// SignInWithKey starts a browser session for the holder of an API key,
// trying from client address addr. The session holds the key's rights
// and no more, and ends when the key is revoked.
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
	g := grant{via: "api_key:" + p.KeyID, keyID: p.KeyID, rights: p.rights}
	return s.signIn(ctx, o, g, addr)
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
	return s.signIn(ctx, o, fullGrant("sign_in_link"), addr)
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

// signIn starts a session for o, who proved who they are as g says, and
// records it.
func (s *Service) signIn(ctx context.Context, o store.Owner, g grant, addr string) (Session, error) {
	sess, err := s.newSession(ctx, o.ID, g)
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
		ActorName: o.Username, Via: g.via, IP: addr, TargetType: "user", TargetID: o.ID,
		TargetName: o.Username, OwnerID: o.ID})
	return sess, nil
}

// newSession stores a new session of owner, started as g says.
func (s *Service) newSession(ctx context.Context, owner string, g grant) (Session, error) {
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
		LastSeenAt: now, Via: g.via, KeyID: g.keyID, Rights: rightNames(g.rights),
	})
	if err != nil {
		return Session{}, err
	}
	return sess, nil
}

// SessionPrincipal checks a session cookie's token. A session ends at its
// expiry, after SessionIdle without use, when it is signed out, when its
// user is disabled, and when the API key it was started with is revoked.
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
	p, err := s.sessionRights(ctx, principalOf(o), sess)
	if err != nil {
		return Principal{}, err
	}
	if now.Sub(seen) > touchEvery {
		if err := s.store.TouchSession(ctx, h, now); err != nil {
			return Principal{}, err
		}
	}
	p.csrf, p.session, p.SessionExpires = CSRFToken(token), h, sess.ExpiresAt
	return p, nil
}

// sessionRights limits p, who acts through sess, to the rights of the API
// key sess was started with, if it was. Revoking the key deletes its
// sessions; checking that the key still exists also ends a session that
// another server instance, trusting its cached check of the key, started
// just after the revocation.
func (s *Service) sessionRights(ctx context.Context, p Principal, sess store.Session) (Principal, error) {
	if sess.KeyID == "" && sess.Rights == nil {
		return p, nil
	}
	if sess.KeyID != "" {
		ok, err := s.store.KeyExists(ctx, sess.KeyID)
		if err != nil {
			return Principal{}, err
		}
		if !ok {
			return Principal{}, ErrUnauthenticated
		}
	}
	return p.withRights(storedRights(sess.Rights)), nil
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
