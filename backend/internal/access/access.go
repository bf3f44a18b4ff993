// Package access decides who is calling: it creates the first admin and
// key, manages users and their passwords, checks API keys and browser
// sessions, and issues one-time sign-in links. Keys, session tokens and
// sign-in tokens are 256-bit random values; only their SHA-256 hashes are
// stored, and passwords only as bcrypt hashes, so a copy of the database
// does not let anyone sign in.
package access

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"sync"
	"time"

	"golang.org/x/sync/singleflight"

	"github.com/plugboard/plugboard/backend/internal/audit"
	"github.com/plugboard/plugboard/backend/internal/store"
	"github.com/plugboard/plugboard/shared"
)

// Lifetimes of what this package issues.
const (
	// SessionTTL is how long a session lasts at most, used or not.
	SessionTTL = 12 * time.Hour
	// SessionIdle ends a session that has not been used for this long.
	SessionIdle = 2 * time.Hour
	// LoginTokenTTL is how long a sign-in link stays valid.
	LoginTokenTTL = 15 * time.Minute
	// keyCacheTTL bounds how long a checked key is trusted without asking
	// the database again; a revoked key, or one of a user disabled on
	// another server instance, stops working within it.
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

// Errors callers branch on.
var (
	// ErrUnauthenticated: the key, session, sign-in token, username or
	// password is unknown, wrong, expired or used.
	ErrUnauthenticated = errors.New("access: not authenticated")
	// ErrDisabled: the credentials are right, but their user is disabled.
	ErrDisabled = errors.New("access: user is disabled")
	// ErrNeedsAllRights: the change is one only a caller holding every
	// right may make (see Principal.CanAll).
	ErrNeedsAllRights = errors.New("access: needs every right")
)

// Principal is who a request acts for.
type Principal struct {
	OwnerID string
	// Name is how the user is shown.
	Name     string
	Username string
	Role     shared.Role
	// KeyID is set when an API key authenticated the request.
	KeyID string
	// limited says that p may do only what rights hold: true for API
	// keys and for sessions started with one, false for sessions started
	// with a password or a sign-in link, which may do everything.
	limited bool
	rights  []shared.Right
	// csrf is the CSRF token a browser session's requests must carry.
	csrf string
	// session is the hash of the browser session's token.
	session string
	// SessionExpires is when a browser session ends; zero for API keys.
	SessionExpires time.Time
	user           shared.User
}

// principalOf is what a request by owner o may do. A user whose role was
// never set (stored before roles existed and not yet migrated) is a member.
func principalOf(o store.Owner) Principal {
	u := userOf(o)
	return Principal{OwnerID: o.ID, Name: u.Name, Username: o.Username, Role: u.Role, user: u}
}

// IsAdmin reports whether p acts for an admin.
func (p Principal) IsAdmin() bool { return p.Role == shared.RoleAdmin }

// User describes the user p acts for, as of when p was checked.
func (p Principal) User() shared.User { return p.user }

// Service checks and issues credentials for calling Plugboard, and
// manages users.
type Service struct {
	store *store.Store
	audit *audit.Recorder
	now   func() time.Time

	mu    sync.Mutex
	cache map[string]cachedKey
	// epoch counts forgetKeys calls, so that a key check that began
	// before one does not cache what it read.
	epoch uint64
	// checking makes concurrent callers with the same unknown or expired
	// key share one database read.
	checking singleflight.Group

	// byUserAddr, byUser and byIP limit password guesses (see
	// beginAttempt).
	byUserAddr, byUser, byIP *limiter
	// users serializes, on this instance, the changes that could leave
	// no active admin; the users lease does so across instances.
	users sync.Mutex
}

type cachedKey struct {
	p       Principal
	checked time.Time
}

// New returns a Service over st that records sign-ins, keys and users
// in trail (nil records nothing).
func New(st *store.Store, trail *audit.Recorder) *Service {
	return &Service{
		store:      st,
		audit:      trail,
		now:        time.Now,
		cache:      map[string]cachedKey{},
		byUserAddr: newLimiter(userAddrAttemptBurst, userAddrAttemptEvery),
		byUser:     newLimiter(userAttemptBurst, userAttemptEvery),
		byIP:       newLimiter(ipAttemptBurst, ipAttemptEvery),
	}
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
