package store

import (
	"context"
	"fmt"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/plugboard/plugboard/backend/internal/seal"
)

// EachService calls fn for every service record of every owner.
func (s *Store) EachService(ctx context.Context, fn func(ServiceRecord) error) error {
	return each(ctx, s, colServices, fn)
}

// EachCredential calls fn for every stored credential of every owner.
func (s *Store) EachCredential(ctx context.Context, fn func(Credential) error) error {
	return each(ctx, s, colCredentials, fn)
}

// EachState calls fn for every authorization state.
func (s *Store) EachState(ctx context.Context, fn func(AuthState) error) error {
	return each(ctx, s, colStates, fn)
}

func each[T any](ctx context.Context, s *Store, col string, fn func(T) error) error {
	cur, err := s.c(col).Find(ctx, bson.D{})
	if err != nil {
		return fmt.Errorf("list %s: %w", col, err)
	}
	defer cur.Close(ctx)
	for cur.Next(ctx) {
		var v T
		if err := cur.Decode(&v); err != nil {
			return fmt.Errorf("decode %s: %w", col, err)
		}
		if err := fn(v); err != nil {
			return err
		}
	}
	return cur.Err()
}

// ResealServiceSecret replaces a service's sealed client secret if the
// record is still at the version read; ErrConflict otherwise.
func (s *Store) ResealServiceSecret(ctx context.Context, r ServiceRecord, sealed seal.Sealed) error {
	res, err := s.c(colServices).UpdateOne(ctx,
		bson.D{{Key: "_id", Value: r.Key}, {Key: "version", Value: r.Version}},
		bson.D{
			{Key: "$set", Value: bson.D{{Key: "client_secret", Value: sealed}}},
			{Key: "$inc", Value: bson.D{{Key: "version", Value: 1}}},
		})
	if err != nil {
		return fmt.Errorf("reseal service secret: %w", err)
	}
	if res.MatchedCount == 0 {
		return fmt.Errorf("reseal service secret: %w", ErrConflict)
	}
	return nil
}

// ResealState replaces an authorization state's sealed verifier.
func (s *Store) ResealState(ctx context.Context, hash string, sealed seal.Sealed) error {
	_, err := s.c(colStates).UpdateOne(ctx, bson.D{{Key: "_id", Value: hash}},
		bson.D{{Key: "$set", Value: bson.D{{Key: "verifier", Value: sealed}}}})
	if err != nil {
		return fmt.Errorf("reseal state: %w", err)
	}
	return nil
}
