package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

// AcquireLease takes the named lease for holder until now+ttl, if it is
// free, expired, or already the holder's. It reports false when another
// holder has it. Server instances sharing the database use leases so
// that only one of them refreshes a connection's tokens at a time.
//
// The upsert either updates a free lease or inserts a new one; when the
// lease is held, the filter matches nothing, the insert collides with the
// existing id, and the duplicate key error means "taken".
func (s *Store) AcquireLease(ctx context.Context, name, holder string, now time.Time, ttl time.Duration) (bool, error) {
	filter := bson.D{
		{Key: "_id", Value: name},
		{Key: "$or", Value: bson.A{
			bson.D{{Key: "expires_at", Value: bson.D{{Key: "$lt", Value: now}}}},
			bson.D{{Key: "holder", Value: holder}},
		}},
	}
	update := bson.D{{Key: "$set", Value: bson.D{
		{Key: "holder", Value: holder},
		{Key: "expires_at", Value: now.Add(ttl)},
	}}}
	_, err := s.c(colLeases).UpdateOne(ctx, filter, update, options.UpdateOne().SetUpsert(true))
	if err == nil {
		return true, nil
	}
	if errors.Is(mapErr(err), ErrDuplicate) {
		return false, nil
	}
	return false, fmt.Errorf("acquire lease %s: %w", name, err)
}

// ReleaseLease gives up a lease if holder still has it.
func (s *Store) ReleaseLease(ctx context.Context, name, holder string) error {
	_, err := s.c(colLeases).DeleteOne(ctx, bson.D{{Key: "_id", Value: name}, {Key: "holder", Value: holder}})
	if err != nil {
		return fmt.Errorf("release lease %s: %w", name, err)
	}
	return nil
}
