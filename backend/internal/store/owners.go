package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/plugboard/plugboard/shared"
)

// Owner is a user: a person who signs in and owns services, connections
// and keys. Owners stored before users existed have no username or role
// until the start-up migration gives them one.
type Owner struct {
	ID   string `bson:"_id"`
	Name string `bson:"name"`
	// Username is unique (index usernameIndex).
	Username string      `bson:"username"`
	Role     shared.Role `bson:"role"`
	// PasswordHash is the bcrypt hash of the password; empty for users
	// who sign in only with a sign-in link or an API key.
	PasswordHash string    `bson:"password_hash,omitempty"`
	Disabled     bool      `bson:"disabled"`
	CreatedAt    time.Time `bson:"created_at"`
	LastSignInAt time.Time `bson:"last_sign_in_at"`
}

// APIKey is a key that programs present as a Bearer token. Only the
// SHA-256 hash of the key is stored: keys are 256 random bits, so a fast
// hash is enough and lets every request be checked by a single lookup.
type APIKey struct {
	ID      string `bson:"_id"`
	OwnerID string `bson:"owner_id"`
	Name    string `bson:"name"`
	Hash    string `bson:"hash"`
	// Rights lists what the key may do, as shared.Right values. Keys
	// stored before rights existed have none and may do everything.
	Rights     []string  `bson:"rights,omitempty"`
	CreatedAt  time.Time `bson:"created_at"`
	LastUsedAt time.Time `bson:"last_used_at"`
}

// InsertOwner stores a new owner.
func (s *Store) InsertOwner(ctx context.Context, o Owner) error {
	_, err := s.c(colOwners).InsertOne(ctx, o)
	if err != nil {
		return fmt.Errorf("insert owner: %w", mapErr(err))
	}
	return nil
}

// GetOwner finds an owner by id.
func (s *Store) GetOwner(ctx context.Context, id string) (Owner, error) {
	var o Owner
	err := s.c(colOwners).FindOne(ctx, bson.D{{Key: "_id", Value: id}}).Decode(&o)
	if err != nil {
		return Owner{}, fmt.Errorf("get owner: %w", mapErr(err))
	}
	return o, nil
}

// InsertKey stores a new API key.
func (s *Store) InsertKey(ctx context.Context, k APIKey) error {
	if _, err := s.c(colKeys).InsertOne(ctx, k); err != nil {
		return fmt.Errorf("insert api key: %w", mapErr(err))
	}
	return nil
}

// KeyByHash finds the API key with the given hash.
func (s *Store) KeyByHash(ctx context.Context, hash string) (APIKey, error) {
	var k APIKey
	err := s.c(colKeys).FindOne(ctx, bson.D{{Key: "hash", Value: hash}}).Decode(&k)
	if err != nil {
		return APIKey{}, fmt.Errorf("find api key: %w", mapErr(err))
	}
	return k, nil
}

// ListKeys returns an owner's API keys, oldest first.
func (s *Store) ListKeys(ctx context.Context, owner string) ([]APIKey, error) {
	cur, err := s.c(colKeys).Find(ctx, bson.D{{Key: "owner_id", Value: owner}},
		options.Find().SetSort(bson.D{{Key: "created_at", Value: 1}, {Key: "_id", Value: 1}}))
	if err != nil {
		return nil, fmt.Errorf("list api keys: %w", err)
	}
	var keys []APIKey
	if err := cur.All(ctx, &keys); err != nil {
		return nil, fmt.Errorf("list api keys: %w", err)
	}
	return keys, nil
}

// DeleteKey removes an owner's API key and returns it; ErrNotFound when
// the owner has no key with that id.
func (s *Store) DeleteKey(ctx context.Context, owner, id string) (APIKey, error) {
	var k APIKey
	err := s.c(colKeys).FindOneAndDelete(ctx,
		bson.D{{Key: "_id", Value: id}, {Key: "owner_id", Value: owner}}).Decode(&k)
	if err != nil {
		return APIKey{}, fmt.Errorf("delete api key: %w", mapErr(err))
	}
	return k, nil
}

// KeyExists reports whether the API key id still exists.
func (s *Store) KeyExists(ctx context.Context, id string) (bool, error) {
	err := s.c(colKeys).FindOne(ctx, bson.D{{Key: "_id", Value: id}},
		options.FindOne().SetProjection(bson.D{{Key: "_id", Value: 1}})).Err()
	if err = mapErr(err); errors.Is(err, ErrNotFound) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("find api key: %w", err)
	}
	return true, nil
}

// TouchKey records that a key was used at t, unless a later use is
// already recorded.
func (s *Store) TouchKey(ctx context.Context, id string, t time.Time) error {
	_, err := s.c(colKeys).UpdateOne(ctx,
		bson.D{{Key: "_id", Value: id}, {Key: "last_used_at", Value: bson.D{{Key: "$lt", Value: t}}}},
		bson.D{{Key: "$set", Value: bson.D{{Key: "last_used_at", Value: t}}}})
	if err != nil {
		return fmt.Errorf("touch api key: %w", err)
	}
	return nil
}

// Session is a signed-in browser. Like API keys, only the hash of the
// session token is stored.
type Session struct {
	Hash      string    `bson:"_id"`
	OwnerID   string    `bson:"owner_id"`
	CreatedAt time.Time `bson:"created_at"`
	ExpiresAt time.Time `bson:"expires_at"`
	// LastSeenAt is when the session was last used, written at most every
	// few minutes; zero for sessions stored before it was recorded.
	LastSeenAt time.Time `bson:"last_seen_at"`
	// Via is how the session was started: "password", "sign_in_link" or
	// "api_key:<key id>". Sessions stored before it was recorded lack it.
	Via string `bson:"via"`
	// KeyID is the API key a session was started with; empty for
	// sessions started with a password or a sign-in link.
	KeyID string `bson:"key_id,omitempty"`
	// Rights are the key's rights, as shared.Right values: all that a
	// session started with a key may do.
	Rights []string `bson:"rights,omitempty"`
}

// InsertSession stores a new session.
func (s *Store) InsertSession(ctx context.Context, sess Session) error {
	if _, err := s.c(colSessions).InsertOne(ctx, sess); err != nil {
		return fmt.Errorf("insert session: %w", mapErr(err))
	}
	return nil
}

// SessionByHash finds a session that has not expired at now.
func (s *Store) SessionByHash(ctx context.Context, hash string, now time.Time) (Session, error) {
	var sess Session
	err := s.c(colSessions).FindOne(ctx, bson.D{
		{Key: "_id", Value: hash},
		{Key: "expires_at", Value: bson.D{{Key: "$gt", Value: now}}},
	}).Decode(&sess)
	if err != nil {
		return Session{}, fmt.Errorf("find session: %w", mapErr(err))
	}
	return sess, nil
}

// DeleteKeySessions ends every session started with the API key id.
func (s *Store) DeleteKeySessions(ctx context.Context, keyID string) error {
	if _, err := s.c(colSessions).DeleteMany(ctx, bson.D{{Key: "key_id", Value: keyID}}); err != nil {
		return fmt.Errorf("delete sessions of api key: %w", err)
	}
	return nil
}

// DeleteUnmarkedSessions ends the sessions stored before sessions
// recorded how they were started (Via), and says how many it ended.
func (s *Store) DeleteUnmarkedSessions(ctx context.Context) (int64, error) {
	res, err := s.c(colSessions).DeleteMany(ctx,
		bson.D{{Key: "via", Value: bson.D{{Key: "$exists", Value: false}}}})
	if err != nil {
		return 0, fmt.Errorf("delete unmarked sessions: %w", err)
	}
	return res.DeletedCount, nil
}

// DeleteSession ends a session.
func (s *Store) DeleteSession(ctx context.Context, hash string) error {
	if _, err := s.c(colSessions).DeleteOne(ctx, bson.D{{Key: "_id", Value: hash}}); err != nil {
		return fmt.Errorf("delete session: %w", err)
	}
	return nil
}

// LoginToken is a one-time sign-in link's token, stored as its hash.
type LoginToken struct {
	Hash      string    `bson:"_id"`
	OwnerID   string    `bson:"owner_id"`
	ExpiresAt time.Time `bson:"expires_at"`
}

// InsertLoginToken stores a one-time sign-in token.
func (s *Store) InsertLoginToken(ctx context.Context, t LoginToken) error {
	if _, err := s.c(colLoginTokens).InsertOne(ctx, t); err != nil {
		return fmt.Errorf("insert login token: %w", mapErr(err))
	}
	return nil
}

// UseLoginToken deletes and returns the unexpired token with the given
// hash. Deleting is what makes it usable once, across server instances.
func (s *Store) UseLoginToken(ctx context.Context, hash string, now time.Time) (LoginToken, error) {
	var t LoginToken
	err := s.c(colLoginTokens).FindOneAndDelete(ctx, bson.D{
		{Key: "_id", Value: hash},
		{Key: "expires_at", Value: bson.D{{Key: "$gt", Value: now}}},
	}).Decode(&t)
	if err != nil {
		return LoginToken{}, fmt.Errorf("use login token: %w", mapErr(err))
	}
	return t, nil
}
