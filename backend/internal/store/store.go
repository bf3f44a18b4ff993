// Package store keeps Plugboard's records in MongoDB (or the embedded
// FerretDB, which speaks the same wire protocol) through the official
// driver. It knows documents and indexes, not business rules: every method
// takes the owner id and filters by it, so one owner can never reach
// another's records through this package.
//
// Only features that both MongoDB and FerretDB v1 support are used: no
// transactions, no TTL indexes, no partial indexes. Expiry is enforced by
// the queries themselves and old documents are swept by Sweep.
package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

// Collection names.
const (
	colOwners      = "owners"
	colKeys        = "api_keys"
	colSessions    = "sessions"
	colLoginTokens = "login_tokens"
	colServices    = "services"
	colConnections = "connections"
	colCredentials = "credentials"
	colEvents      = "events"
	colStates      = "oauth_states"
	colLeases      = "leases"
	colMeta        = "meta"
)

// Store is an open database with Plugboard's collections.
type Store struct {
	client *mongo.Client
	db     *mongo.Database
}

// Open connects to the MongoDB server at uri, checks that it answers, and
// creates the indexes Plugboard relies on. Creating them again is harmless,
// so every server instance does it at start.
func Open(ctx context.Context, uri, database string) (*Store, error) {
	opts := options.Client().
		ApplyURI(uri).
		SetBSONOptions(&options.BSONOptions{UseJSONStructTags: true, NilMapAsEmpty: true, NilSliceAsEmpty: true}).
		SetServerSelectionTimeout(10 * time.Second).
		SetAppName("plugboard")
	client, err := mongo.Connect(opts)
	if err != nil {
		return nil, fmt.Errorf("connect to database: %w", err)
	}
	s := &Store{client: client, db: client.Database(database)}

	if err := client.Ping(ctx, nil); err != nil {
		_ = client.Disconnect(context.WithoutCancel(ctx))
		return nil, fmt.Errorf("reach database: %w", err)
	}
	if err := s.ensureIndexes(ctx); err != nil {
		_ = client.Disconnect(context.WithoutCancel(ctx))
		return nil, err
	}
	return s, nil
}

// Close ends the connection to the database, waiting for operations in
// flight.
func (s *Store) Close(ctx context.Context) error {
	return s.client.Disconnect(ctx)
}

// Ping checks that the database answers.
func (s *Store) Ping(ctx context.Context) error {
	return s.client.Ping(ctx, nil)
}

func (s *Store) c(name string) *mongo.Collection { return s.db.Collection(name) }

// ensureIndexes creates every index, once per name.
func (s *Store) ensureIndexes(ctx context.Context) error {
	unique := func(keys bson.D, name string) mongo.IndexModel {
		return mongo.IndexModel{Keys: keys, Options: options.Index().SetUnique(true).SetName(name)}
	}
	plain := func(keys bson.D, name string) mongo.IndexModel {
		return mongo.IndexModel{Keys: keys, Options: options.Index().SetName(name)}
	}
	want := map[string][]mongo.IndexModel{
		colKeys: {
			unique(bson.D{{Key: "hash", Value: 1}}, "hash_unique"),
			plain(bson.D{{Key: "owner_id", Value: 1}}, "owner"),
		},
		colServices: {
			unique(bson.D{{Key: "owner_id", Value: 1}, {Key: "service_id", Value: 1}}, "owner_service_unique"),
		},
		colConnections: {
			unique(bson.D{{Key: "owner_id", Value: 1}, {Key: "link_name", Value: 1}}, "owner_link_unique"),
			plain(bson.D{{Key: "owner_id", Value: 1}, {Key: "service_id", Value: 1}}, "owner_service"),
		},
		colCredentials: {
			plain(bson.D{{Key: "owner_id", Value: 1}}, "owner"),
		},
		colEvents: {
			plain(bson.D{{Key: "owner_id", Value: 1}, {Key: "connection_id", Value: 1}, {Key: "time", Value: -1}}, "owner_connection_time"),
		},
		colSessions:    {plain(bson.D{{Key: "expires_at", Value: 1}}, "expires")},
		colLoginTokens: {plain(bson.D{{Key: "expires_at", Value: 1}}, "expires")},
		colStates:      {plain(bson.D{{Key: "expires_at", Value: 1}}, "expires")},
	}
	for col, models := range want {
		if _, err := s.c(col).Indexes().CreateMany(ctx, models); err != nil {
			return fmt.Errorf("create indexes on %s: %w", col, err)
		}
	}
	return nil
}

// Sweep deletes expired sessions, sign-in tokens and authorization states.
// Queries already ignore them; this only keeps the collections small,
// since FerretDB has no TTL indexes.
func (s *Store) Sweep(ctx context.Context, now time.Time) error {
	filter := bson.D{{Key: "expires_at", Value: bson.D{{Key: "$lt", Value: now}}}}
	var errs []error
	for _, col := range []string{colSessions, colLoginTokens, colStates} {
		if _, err := s.c(col).DeleteMany(ctx, filter); err != nil {
			errs = append(errs, fmt.Errorf("sweep %s: %w", col, err))
		}
	}
	return errors.Join(errs...)
}

// NewID returns a fresh record id: 24 hexadecimal digits.
func NewID() string { return bson.NewObjectID().Hex() }
