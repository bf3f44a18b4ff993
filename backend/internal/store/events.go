package store

import (
	"context"
	"fmt"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/plugboard/plugboard/shared"
)

// eventRecord is a stored event with its owner.
type eventRecord struct {
	Key          string `bson:"_id"`
	OwnerID      string `bson:"owner_id"`
	shared.Event `bson:",inline"`
}

// InsertEvent appends an event to a connection's history.
func (s *Store) InsertEvent(ctx context.Context, owner string, e shared.Event) error {
	if e.ID == "" {
		e.ID = NewID()
	}
	r := eventRecord{Key: e.ID, OwnerID: owner, Event: e}
	if _, err := s.c(colEvents).InsertOne(ctx, r); err != nil {
		return fmt.Errorf("insert event: %w", err)
	}
	return nil
}

// ListEvents returns a connection's history, newest first, at most limit
// entries.
func (s *Store) ListEvents(ctx context.Context, owner, connID string, limit int64) ([]shared.Event, error) {
	cur, err := s.c(colEvents).Find(ctx,
		bson.D{{Key: "owner_id", Value: owner}, {Key: "connection_id", Value: connID}},
		options.Find().SetSort(bson.D{{Key: "time", Value: -1}, {Key: "_id", Value: -1}}).SetLimit(limit))
	if err != nil {
		return nil, fmt.Errorf("list events: %w", err)
	}
	var recs []eventRecord
	if err := cur.All(ctx, &recs); err != nil {
		return nil, fmt.Errorf("list events: %w", err)
	}
	out := make([]shared.Event, len(recs))
	for i, r := range recs {
		out[i] = r.Event
	}
	return out, nil
}
