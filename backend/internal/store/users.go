package store

import (
	"context"
	"fmt"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/plugboard/plugboard/shared"
)

// usernameIndex makes usernames unique. Unlike the indexes Open creates,
// it is created by EnsureUsernameIndex once every owner has a username:
// on MongoDB a unique index counts a missing field as null, so two owners
// stored before users existed would make its creation fail.
var usernameIndex = indexSpec{name: "username_unique", keys: asc("username"), unique: true}

// EnsureUsernameIndex creates the unique index on usernames if it does
// not exist yet. Call it after every owner has a username.
func (s *Store) EnsureUsernameIndex(ctx context.Context) error {
	have, err := s.indexNames(ctx, colOwners)
	if err != nil {
		return err
	}
	if have[usernameIndex.name] {
		return nil
	}
	_, err = s.c(colOwners).Indexes().CreateOne(ctx, mongo.IndexModel{Keys: usernameIndex.keys,
		Options: options.Index().SetName(usernameIndex.name).SetUnique(true)})
	if err != nil {
		return fmt.Errorf("create username index: %w", err)
	}
	return nil
}

// ListOwners returns every owner, oldest first.
func (s *Store) ListOwners(ctx context.Context) ([]Owner, error) {
	cur, err := s.c(colOwners).Find(ctx, bson.D{},
		options.Find().SetSort(bson.D{{Key: "created_at", Value: 1}, {Key: "_id", Value: 1}}))
	if err != nil {
		return nil, fmt.Errorf("list owners: %w", err)
	}
	var out []Owner
	if err := cur.All(ctx, &out); err != nil {
		return nil, fmt.Errorf("list owners: %w", err)
	}
	return out, nil
}

// OwnerByUsername finds an owner by username.
func (s *Store) OwnerByUsername(ctx context.Context, username string) (Owner, error) {
	var o Owner
	err := s.c(colOwners).FindOne(ctx, bson.D{{Key: "username", Value: username}}).Decode(&o)
	if err != nil {
		return Owner{}, fmt.Errorf("find owner by username: %w", mapErr(err))
	}
	return o, nil
}

// OwnerChange lists the fields of an owner to change; nil ones stay.
type OwnerChange struct {
	Username     *string
	Name         *string
	Role         *shared.Role
	Disabled     *bool
	PasswordHash *string
}

func (ch OwnerChange) set() bson.D {
	d := bson.D{}
	add := func(key string, v any) { d = append(d, bson.E{Key: key, Value: v}) }
	if ch.Username != nil {
		add("username", *ch.Username)
	}
	if ch.Name != nil {
		add("name", *ch.Name)
	}
	if ch.Role != nil {
		add("role", *ch.Role)
	}
	if ch.Disabled != nil {
		add("disabled", *ch.Disabled)
	}
	if ch.PasswordHash != nil {
		add("password_hash", *ch.PasswordHash)
	}
	return d
}

// UpdateOwner applies ch to the owner with the given id and returns the
// owner as it is afterwards. ErrNotFound when there is no such owner;
// ErrDuplicate when a new username is taken.
func (s *Store) UpdateOwner(ctx context.Context, id string, ch OwnerChange) (Owner, error) {
	var o Owner
	err := s.c(colOwners).FindOneAndUpdate(ctx, bson.D{{Key: "_id", Value: id}},
		bson.D{{Key: "$set", Value: ch.set()}},
		options.FindOneAndUpdate().SetReturnDocument(options.After)).Decode(&o)
	if err != nil {
		return Owner{}, fmt.Errorf("update owner: %w", mapErr(err))
	}
	return o, nil
}

// SetLastSignIn records that an owner signed in at t.
func (s *Store) SetLastSignIn(ctx context.Context, id string, t time.Time) error {
	_, err := s.c(colOwners).UpdateOne(ctx, bson.D{{Key: "_id", Value: id}},
		bson.D{{Key: "$set", Value: bson.D{{Key: "last_sign_in_at", Value: t}}}})
	if err != nil {
		return fmt.Errorf("record sign-in: %w", err)
	}
	return nil
}

// CountActiveAdmins counts the admins who are not disabled.
func (s *Store) CountActiveAdmins(ctx context.Context) (int64, error) {
	n, err := s.c(colOwners).CountDocuments(ctx, bson.D{
		{Key: "role", Value: shared.RoleAdmin},
		{Key: "disabled", Value: bson.D{{Key: "$ne", Value: true}}},
	})
	if err != nil {
		return 0, fmt.Errorf("count admins: %w", err)
	}
	return n, nil
}

// DeleteOwner removes an owner; ErrNotFound when there is none with that
// id. It leaves the owner's other records alone.
func (s *Store) DeleteOwner(ctx context.Context, id string) error {
	res, err := s.c(colOwners).DeleteOne(ctx, bson.D{{Key: "_id", Value: id}})
	if err != nil {
		return fmt.Errorf("delete owner: %w", err)
	}
	if res.DeletedCount == 0 {
		return fmt.Errorf("delete owner: %w", ErrNotFound)
	}
	return nil
}

// builtInSettings matches the service records that hold an owner's
// settings for a built-in service rather than a custom service.
var builtInSettings = bson.E{Key: "def.builtin", Value: true}

// CountRecords counts what an owner still owns that deleting them would
// orphan: custom services and connections.
func (s *Store) CountRecords(ctx context.Context, owner string) (services, connections int64, err error) {
	services, err = s.c(colServices).CountDocuments(ctx, bson.D{
		{Key: "owner_id", Value: owner},
		{Key: "def.builtin", Value: bson.D{{Key: "$ne", Value: true}}},
	})
	if err != nil {
		return 0, 0, fmt.Errorf("count services: %w", err)
	}
	connections, err = s.c(colConnections).CountDocuments(ctx, ownerFilter(owner))
	if err != nil {
		return 0, 0, fmt.Errorf("count connections: %w", err)
	}
	return services, connections, nil
}

// DeleteAccess removes an owner's API keys, sessions, sign-in tokens and
// settings of built-in services: what goes with the owner.
func (s *Store) DeleteAccess(ctx context.Context, owner string) error {
	deletes := []struct {
		col    string
		filter bson.D
	}{
		{colKeys, ownerFilter(owner)},
		{colSessions, ownerFilter(owner)},
		{colLoginTokens, ownerFilter(owner)},
		{colServices, bson.D{{Key: "owner_id", Value: owner}, builtInSettings}},
	}
	for _, d := range deletes {
		if _, err := s.c(d.col).DeleteMany(ctx, d.filter); err != nil {
			return fmt.Errorf("delete %s of owner: %w", d.col, err)
		}
	}
	return nil
}

// DeleteSessionsOf ends every session of an owner but the one whose hash
// is keep ("" for none), and says how many it ended.
func (s *Store) DeleteSessionsOf(ctx context.Context, owner, keep string) (int64, error) {
	filter := ownerFilter(owner)
	if keep != "" {
		filter = append(filter, bson.E{Key: "_id", Value: bson.D{{Key: "$ne", Value: keep}}})
	}
	res, err := s.c(colSessions).DeleteMany(ctx, filter)
	if err != nil {
		return 0, fmt.Errorf("delete sessions: %w", err)
	}
	return res.DeletedCount, nil
}

// TouchSession records that a session was used at t.
func (s *Store) TouchSession(ctx context.Context, hash string, t time.Time) error {
	_, err := s.c(colSessions).UpdateOne(ctx, bson.D{{Key: "_id", Value: hash}},
		bson.D{{Key: "$set", Value: bson.D{{Key: "last_seen_at", Value: t}}}})
	if err != nil {
		return fmt.Errorf("touch session: %w", err)
	}
	return nil
}
