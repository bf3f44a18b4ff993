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
	colAudit       = "audit"
	colShares      = "shares"
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

// indexSpec is one index Plugboard relies on.
type indexSpec struct {
	name   string
	keys   bson.D
	unique bool
}

func asc(fields ...string) bson.D {
	d := bson.D{}
	for _, f := range fields {
		d = append(d, bson.E{Key: f, Value: 1})
	}
	return d
}

// indexes lists every index, by collection.
var indexes = map[string][]indexSpec{
	colKeys: {
		{name: "hash_unique", keys: asc("hash"), unique: true},
		{name: "owner", keys: asc("owner_id")},
	},
	colServices: {
		{name: "owner_service_unique", keys: asc("owner_id", "service_id"), unique: true},
	},
	colConnections: {
		{name: "owner_link_unique", keys: asc("owner_id", "link_name"), unique: true},
		{name: "owner_service", keys: asc("owner_id", "service_id")},
	},
	colCredentials: {{name: "owner", keys: asc("owner_id")}},
	colEvents: {{name: "owner_connection_time",
		keys: bson.D{{Key: "owner_id", Value: 1}, {Key: "connection_id", Value: 1}, {Key: "time", Value: -1}}}},
	colSessions: {
		{name: "expires", keys: asc("expires_at")},
		{name: "owner", keys: asc("owner_id")},
	},
	colLoginTokens: {{name: "expires", keys: asc("expires_at")}},
	colStates:      {{name: "expires", keys: asc("expires_at")}},
	colShares: {
		{name: "owner_connection", keys: asc("owner_id", "connection_id")},
		{name: "user", keys: asc("user_id")},
	},
	colAudit: {
		{name: "time", keys: newestFirst()},
		{name: "action_time", keys: newestFirst("action")},
		{name: "actor_time", keys: newestFirst("actor_id")},
		{name: "target_time", keys: newestFirst("target_id")},
	},
}

// newestFirst is an index on fields, then on time and id descending, the
// order the audit trail is read in.
func newestFirst(fields ...string) bson.D {
	return append(asc(fields...), bson.E{Key: "time", Value: -1}, bson.E{Key: "_id", Value: -1})
}

// ensureIndexes creates the indexes that do not exist yet. Asking for
// existing ones again would be harmless on MongoDB, but FerretDB v1 fails
// on it, so only missing ones (by name) are sent.
func (s *Store) ensureIndexes(ctx context.Context) error {
	for col, specs := range indexes {
		have, err := s.indexNames(ctx, col)
		if err != nil {
			return err
		}
		var models []mongo.IndexModel
		for _, spec := range specs {
			if !have[spec.name] {
				models = append(models, mongo.IndexModel{Keys: spec.keys,
					Options: options.Index().SetName(spec.name).SetUnique(spec.unique)})
			}
		}
		if len(models) == 0 {
			continue
		}
		if _, err := s.c(col).Indexes().CreateMany(ctx, models); err != nil {
			return fmt.Errorf("create indexes on %s: %w", col, err)
		}
	}
	return nil
}

// indexNames returns the names of a collection's indexes.
func (s *Store) indexNames(ctx context.Context, col string) (map[string]bool, error) {
	cur, err := s.c(col).Indexes().List(ctx)
	if err != nil {
		return nil, fmt.Errorf("list indexes on %s: %w", col, err)
	}
	var have []struct {
		Name string `bson:"name"`
	}
	if err := cur.All(ctx, &have); err != nil {
		return nil, fmt.Errorf("list indexes on %s: %w", col, err)
	}
	names := map[string]bool{}
	for _, h := range have {
		names[h.Name] = true
	}
	return names, nil
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
