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

// lease is one taking of a named lease. Every taking is a new document
// whose id is the lease name and a generation number, padded so that ids
// sort in the order of takings; the latest taking says who holds the
// lease and until when.
//
// Taking a free or expired lease inserts the next generation, and of
// several instances racing for it only one insert can succeed, because
// ids are unique. Nothing else would do on both databases: FerretDB v1
// reads an update's or a findAndModify's filter apart from the write, so
// a compare-and-set update lets two racers through.
type lease struct {
	ID        string    `bson:"_id"`
	Gen       int64     `bson:"gen"`
	Holder    string    `bson:"holder"`
	ExpiresAt time.Time `bson:"expires_at"`
}

func leaseID(name string, gen int64) string { return fmt.Sprintf("%s#%020d", name, gen) }

// leaseRange matches the ids of every taking of the lease name: they
// start with name and '#', and '$' is the next character.
func leaseRange(name string) bson.D {
	return bson.D{{Key: "$gt", Value: name + "#"}, {Key: "$lt", Value: name + "$"}}
}

// AcquireLease takes the named lease for holder until now+ttl, if it is
// free, expired, or already the holder's. It reports false when another
// holder has it. Server instances sharing the database use leases so
// that only one of them refreshes a connection's tokens at a time.
func (s *Store) AcquireLease(ctx context.Context, name, holder string, now time.Time, ttl time.Duration) (bool, error) {
	cur, err := s.latestLease(ctx, name)
	if err != nil {
		return false, err
	}
	if cur.Gen > 0 && !cur.ExpiresAt.Before(now) {
		if cur.Holder != holder {
			return false, nil
		}
		// Only the holder writes its own taking, so a plain update is
		// safe here.
		mine := bson.D{{Key: "_id", Value: cur.ID}, {Key: "holder", Value: holder}}
		_, err := s.c(colLeases).UpdateOne(ctx, mine,
			bson.D{{Key: "$set", Value: bson.D{{Key: "expires_at", Value: now.Add(ttl)}}}})
		if err != nil {
			return false, fmt.Errorf("extend lease %s: %w", name, err)
		}
		return true, nil
	}

	next := lease{ID: leaseID(name, cur.Gen+1), Gen: cur.Gen + 1, Holder: holder, ExpiresAt: now.Add(ttl)}
	if _, err := s.c(colLeases).InsertOne(ctx, next); err != nil {
		if errors.Is(mapErr(err), ErrDuplicate) {
			return false, nil
		}
		return false, fmt.Errorf("acquire lease %s: %w", name, err)
	}
	// Takings before the previous one no longer matter. Removing them only
	// keeps the collection small, so a failure is of no consequence.
	if next.Gen > 2 {
		_, _ = s.c(colLeases).DeleteMany(ctx, bson.D{{Key: "_id", Value: bson.D{
			{Key: "$gt", Value: name + "#"}, {Key: "$lt", Value: leaseID(name, next.Gen-1)},
		}}})
	}
	return true, nil
}

// latestLease returns the latest taking of the named lease; Gen is 0 when
// it was never taken.
func (s *Store) latestLease(ctx context.Context, name string) (lease, error) {
	var l lease
	err := s.c(colLeases).FindOne(ctx, bson.D{{Key: "_id", Value: leaseRange(name)}},
		options.FindOne().SetSort(bson.D{{Key: "_id", Value: -1}})).Decode(&l)
	if errors.Is(err, mongo.ErrNoDocuments) {
		return lease{}, nil
	}
	if err != nil {
		return lease{}, fmt.Errorf("read lease %s: %w", name, err)
	}
	return l, nil
}

// ReleaseLease gives up a lease if holder still has it. The taking is
// kept, expired, so that its generation is never taken twice.
func (s *Store) ReleaseLease(ctx context.Context, name, holder string) error {
	_, err := s.c(colLeases).UpdateMany(ctx,
		bson.D{{Key: "_id", Value: leaseRange(name)}, {Key: "holder", Value: holder}},
		bson.D{{Key: "$set", Value: bson.D{{Key: "expires_at", Value: time.Time{}}}}})
	if err != nil {
		return fmt.Errorf("release lease %s: %w", name, err)
	}
	return nil
}
