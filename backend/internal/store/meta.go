package store

import (
	"context"
	"fmt"

	"go.mongodb.org/mongo-driver/v2/bson"
)

// GetMeta reads the settings document with the given id into v.
// ErrNotFound when there is none.
func (s *Store) GetMeta(ctx context.Context, id string, v any) error {
	err := s.c(colMeta).FindOne(ctx, bson.D{{Key: "_id", Value: id}}).Decode(v)
	if err != nil {
		return fmt.Errorf("get %s: %w", id, mapErr(err))
	}
	return nil
}

// InsertMeta stores a settings document; ErrDuplicate when one with that
// id exists, so that of two instances starting at once, one wins.
func (s *Store) InsertMeta(ctx context.Context, doc any) error {
	if _, err := s.c(colMeta).InsertOne(ctx, doc); err != nil {
		return fmt.Errorf("insert meta: %w", mapErr(err))
	}
	return nil
}

// ReplaceMeta overwrites a settings document.
func (s *Store) ReplaceMeta(ctx context.Context, id string, doc any) error {
	if _, err := s.c(colMeta).ReplaceOne(ctx, bson.D{{Key: "_id", Value: id}}, doc); err != nil {
		return fmt.Errorf("replace %s: %w", id, err)
	}
	return nil
}
