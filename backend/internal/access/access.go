// Package access decides who is calling: it creates the first owner and
// key, checks API keys and browser sessions, and issues one-time sign-in
// links. Keys, session tokens and sign-in tokens are 256-bit random
// values; only their SHA-256 hashes are stored, so a copy of the database
// does not let anyone sign in.
package access

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"golang.org/x/sync/singleflight"

	"github.com/plugboard/plugboard/backend/internal/audit"
	"github.com/plugboard/plugboard/backend/internal/store"
	"github.com/plugboard/plugboard/shared"
)

// Lifetimes of what this package issues.
const (
	SessionTTL    = 12 * time.Hour
	LoginTokenTTL = 15 * time.Minute
	// keyCacheTTL bounds how long a checked key is trusted without asking
	// the database again; a revoked key stops working within it.
	keyCacheTTL = 30 * time.Second
	// checkTimeout bounds the database read of a key.
	checkTimeout = 10 * time.Second
)

// Prefixes make leaked values recognizable to secret scanners and people.
const (
	keyPrefix     = "pb_key_"
	sessionPrefix = "pb_sess_"
	loginPrefix   = "pb_login_"
)

// ErrUnauthenticated: the key, session or sign-in token is unknown,
// expired or used.
var ErrUnauthenticated = errors.New("access: not authenticated")

// Principal is who a request acts for.
type Principal struct {
	OwnerID string
	Name    string
	// KeyID is set when an API key authenticated the request.
	KeyID string
	// rights are the key's rights; nil for sessions, which may do all.
	rights []shared.Right
	// csrf is the CSRF token a browser session's requests must carry.
	csrf string
	// SessionExpires is when a browser session ends; zero for API keys.
	SessionExpires time.Time
}

// Service checks and issues credentials for calling Plugboard.
type Service struct {
	store *store.Store
	audit *audit.Recorder
	now   func() time.Time

	mu    sync.Mutex
	cache map[string]cachedKey
	// checking makes concurrent callers with the same unknown or expired
	// key share one database read.
	checking singleflight.Group
}

type cachedKey struct {
	p       Principal
	checked time.Time
}

// New returns a Service over st that records sign-ins, keys and users
// in trail (nil records nothing).
func New(st *store.Store, trail *audit.Recorder) *Service {
	return &Service{store: st, audit: trail, now: time.Now, cache: map[string]cachedKey{}}
}

// Bootstrap is what a server start prepared for signing in.
type Bootstrap struct {
	// APIKey is set when a key was created now; it is never shown again.
	APIKey     string
	LoginToken string
	FirstStart bool
}

// Bootstrap makes sure an owner exists. On the first start it creates one
// with an API key (the preset one when given, else a fresh one, returned
// to be shown once). Every start issues a one-time sign-in token for the
// first owner.
func (s *Service) Bootstrap(ctx context.Context, presetKey string) (Bootstrap, error) {
	var b Bootstrap
	n, err := s.store.CountOwners(ctx)
	if err != nil {
		return b, err
	}
	if n > 0 {
		owner, err := s.store.FirstOwner(ctx)
		if err != nil {
			return b, err
		}
		b.LoginToken, err = s.NewLoginToken(ctx, owner.ID)
		return b, err
	}

	// Check the preset key before anything is stored: an owner without
	// a key could never sign in with one.
	key := presetKey
	if key == "" {
		key = keyPrefix + randomToken()
	}
	if len(key) < 16 {
		return b, fmt.Errorf("PLUGBOARD_API_KEY must be at least 16 characters")
	}
	now := s.now().UTC()
	owner := store.Owner{ID: store.NewID(), Name: "owner", CreatedAt: now}
	if err := s.store.InsertOwner(ctx, owner); err != nil {
		return b, err
	}
	if err := s.store.InsertKey(ctx, store.APIKey{
		ID: store.NewID(), OwnerID: owner.ID, Name: "first key", Hash: hash(key),
		Rights: allRights(), CreatedAt: now,
	}); err != nil {
		return b, err
	}
	b.FirstStart = true
	if presetKey == "" {
		b.APIKey = key
	}
	b.LoginToken, err = s.NewLoginToken(ctx, owner.ID)
	return b, err
}

// Authenticate checks an API key. Answers are cached briefly so that busy
// callers do not cost a database read per request, and callers that miss
// the cache together share one read.
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

// check reads the key with hash h and caches the answer.
func (s *Service) check(ctx context.Context, h string) (Principal, error) {
	k, err := s.store.KeyByHash(ctx, h)
	if errors.Is(err, store.ErrNotFound) {
		return Principal{}, ErrUnauthenticated
	}
	if err != nil {
		return Principal{}, err
	}
	now := s.now()
	p := Principal{OwnerID: k.OwnerID, KeyID: k.ID, rights: keyRights(k.Rights)}
	_ = s.store.TouchKey(ctx, k.ID, now.UTC())
	s.mu.Lock()
	if len(s.cache) > 10000 {
		clear(s.cache)
	}
	s.cache[h] = cachedKey{p: p, checked: now}
	s.mu.Unlock()
	return p, nil
}

// Session is a signed-in browser's credentials, returned once.
type Session struct {
	Token     string
	CSRFToken string
	OwnerID   string
	ExpiresAt time.Time
}

// SignInWithKey starts a browser session for the holder of an API key.
func (s *Service) SignInWithKey(ctx context.Context, key string) (Session, error) {
	p, err := s.Authenticate(ctx, key)
	if err != nil {
		return Session{}, err
	}
	return s.newSession(ctx, p.OwnerID)
}

// SignInWithLoginToken starts a browser session from a one-time sign-in
// token, which is used up.
func (s *Service) SignInWithLoginToken(ctx context.Context, token string) (Session, error) {
	t, err := s.store.UseLoginToken(ctx, hash(token), s.now().UTC())
	if errors.Is(err, store.ErrNotFound) {
		return Session{}, ErrUnauthenticated
	}
	if err != nil {
		return Session{}, err
	}
	return s.newSession(ctx, t.OwnerID)
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
	})
	if err != nil {
		return Session{}, err
	}
	return sess, nil
}

// SessionPrincipal checks a session cookie's token.
func (s *Service) SessionPrincipal(ctx context.Context, token string) (Principal, error) {
	if !strings.HasPrefix(token, sessionPrefix) {
		return Principal{}, ErrUnauthenticated
	}
	sess, err := s.store.SessionByHash(ctx, hash(token), s.now().UTC())
	if errors.Is(err, store.ErrNotFound) {
		return Principal{}, ErrUnauthenticated
	}
	if err != nil {
		return Principal{}, err
	}
	return Principal{OwnerID: sess.OwnerID, csrf: CSRFToken(token), SessionExpires: sess.ExpiresAt}, nil
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

// SignOut ends a session on the server.
func (s *Service) SignOut(ctx context.Context, token string) error {
	return s.store.DeleteSession(ctx, hash(token))
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

// CreateOwner adds another owner with its own API key, returned once.
// The multi-user features build on it; tests use it to prove that owners
// cannot reach each other's records.
func (s *Service) CreateOwner(ctx context.Context, name string) (ownerID, key string, err error) {
	now := s.now().UTC()
	o := store.Owner{ID: store.NewID(), Name: name, CreatedAt: now}
	if err := s.store.InsertOwner(ctx, o); err != nil {
		return "", "", err
	}
	key = keyPrefix + randomToken()
	err = s.store.InsertKey(ctx, store.APIKey{
		ID: store.NewID(), OwnerID: o.ID, Name: "first key", Hash: hash(key),
		Rights: allRights(), CreatedAt: now,
	})
	return o.ID, key, err
}

func randomToken() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b) // crypto/rand.Read never fails since Go 1.24
	return base64.RawURLEncoding.EncodeToString(b)
}

func hash(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}
