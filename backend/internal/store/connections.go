package store

import (
	"context"
	"fmt"
	"regexp"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/plugboard/plugboard/shared"
)

// ConnectionRecord is a stored connection: the shared type plus its owner.
// Secrets are never here; they live in the credentials collection.
type ConnectionRecord struct {
	Key               string `bson:"_id"`
	OwnerID           string `bson:"owner_id"`
	shared.Connection `bson:",inline"`
}

// Fields names connection fields (by their JSON names) and their new
// values, for SetConnection.
type Fields map[string]any

// ConnectionQuery narrows ListConnections. Empty fields match everything.
type ConnectionQuery struct {
	Text      string
	Status    shared.Status
	ServiceID string
}

// InsertConnection stores a new connection; ErrDuplicate when the owner
// already has its link name.
func (s *Store) InsertConnection(ctx context.Context, owner string, c shared.Connection) error {
	r := ConnectionRecord{Key: c.ID, OwnerID: owner, Connection: c}
	if _, err := s.c(colConnections).InsertOne(ctx, r); err != nil {
		return fmt.Errorf("insert connection: %w", mapErr(err))
	}
	return nil
}

// refFilter finds a connection by id or by link name.
func refFilter(owner, ref string) bson.D {
	if shared.IsConnectionID(ref) {
		return bson.D{{Key: "_id", Value: ref}, {Key: "owner_id", Value: owner}}
	}
	return bson.D{{Key: "owner_id", Value: owner}, {Key: "link_name", Value: ref}}
}

// GetConnection finds an owner's connection by id or link name.
func (s *Store) GetConnection(ctx context.Context, owner, ref string) (shared.Connection, error) {
	r, err := s.connectionRecord(ctx, refFilter(owner, ref))
	return r.Connection, err
}

func (s *Store) connectionRecord(ctx context.Context, filter bson.D) (ConnectionRecord, error) {
	var r ConnectionRecord
	if err := s.c(colConnections).FindOne(ctx, filter).Decode(&r); err != nil {
		return ConnectionRecord{}, fmt.Errorf("get connection: %w", mapErr(err))
	}
	return r, nil
}

// ListConnections returns an owner's connections, newest first.
func (s *Store) ListConnections(ctx context.Context, owner string, q ConnectionQuery) ([]shared.Connection, error) {
	recs, err := s.findConnections(ctx, queryFilter(ownerFilter(owner), q))
	if err != nil {
		return nil, err
	}
	out := make([]shared.Connection, len(recs))
	for i, r := range recs {
		out[i] = r.Connection
	}
	return out, nil
}

// queryFilter adds q's conditions to base.
func queryFilter(base bson.D, q ConnectionQuery) bson.D {
	filter := base
	if q.Status != "" {
		filter = append(filter, bson.E{Key: "status", Value: q.Status})
	}
	if q.ServiceID != "" {
		filter = append(filter, bson.E{Key: "service_id", Value: q.ServiceID})
	}
	if q.Text != "" {
		re := bson.Regex{Pattern: regexp.QuoteMeta(q.Text), Options: "i"}
		filter = append(filter, bson.E{Key: "$or", Value: bson.A{
			bson.D{{Key: "name", Value: re}},
			bson.D{{Key: "link_name", Value: re}},
			bson.D{{Key: "service_id", Value: re}},
		}})
	}
	return filter
}

// findConnections returns the connections that match filter, newest
// first.
func (s *Store) findConnections(ctx context.Context, filter bson.D) ([]ConnectionRecord, error) {
	cur, err := s.c(colConnections).Find(ctx, filter,
		options.Find().SetSort(bson.D{{Key: "created_at", Value: -1}, {Key: "_id", Value: -1}}))
	if err != nil {
		return nil, fmt.Errorf("list connections: %w", err)
	}
	var recs []ConnectionRecord
	if err := cur.All(ctx, &recs); err != nil {
		return nil, fmt.Errorf("list connections: %w", err)
	}
	return recs, nil
}

// CountConnections counts an owner's connections to a service.
func (s *Store) CountConnections(ctx context.Context, owner, serviceID string) (int64, error) {
	n, err := s.c(colConnections).CountDocuments(ctx, bson.D{
		{Key: "owner_id", Value: owner}, {Key: "service_id", Value: serviceID},
	})
	if err != nil {
		return 0, fmt.Errorf("count connections: %w", err)
	}
	return n, nil
}

// SetConnection changes the given fields of a connection, when it also
// matches cond (field values it must still have; nil for none), and
// returns the connection as it is afterwards. ErrNotFound when no
// connection matches; ErrDuplicate when a new link name is taken.
func (s *Store) SetConnection(ctx context.Context, owner, id string, cond, set Fields) (shared.Connection, error) {
	filter := bson.D{{Key: "_id", Value: id}, {Key: "owner_id", Value: owner}}
	for k, v := range cond {
		filter = append(filter, bson.E{Key: k, Value: v})
	}
	update := bson.D{}
	for k, v := range set {
		update = append(update, bson.E{Key: k, Value: v})
	}
	var r ConnectionRecord
	err := s.c(colConnections).FindOneAndUpdate(ctx, filter,
		bson.D{{Key: "$set", Value: update}},
		options.FindOneAndUpdate().SetReturnDocument(options.After)).Decode(&r)
	if err != nil {
		return shared.Connection{}, fmt.Errorf("update connection: %w", mapErr(err))
	}
	return r.Connection, nil
}

// TouchConnections records last use for many connections at once; each
// value is the time of the latest use seen. Older stored times only move
// forward.
func (s *Store) TouchConnections(ctx context.Context, owner string, used map[string]time.Time) error {
	for id, t := range used {
		_, err := s.c(colConnections).UpdateOne(ctx,
			bson.D{{Key: "_id", Value: id}, {Key: "owner_id", Value: owner},
				{Key: "$or", Value: bson.A{
					bson.D{{Key: "last_used_at", Value: bson.D{{Key: "$lt", Value: t}}}},
					bson.D{{Key: "last_used_at", Value: bson.D{{Key: "$exists", Value: false}}}},
				}}},
			bson.D{{Key: "$set", Value: bson.D{{Key: "last_used_at", Value: t}}}})
		if err != nil {
			return fmt.Errorf("touch connection: %w", err)
		}
	}
	return nil
}

// DeleteConnection removes a connection record.
func (s *Store) DeleteConnection(ctx context.Context, owner, id string) error {
	res, err := s.c(colConnections).DeleteOne(ctx, bson.D{{Key: "_id", Value: id}, {Key: "owner_id", Value: owner}})
	if err != nil {
		return fmt.Errorf("delete connection: %w", err)
	}
	if res.DeletedCount == 0 {
		return fmt.Errorf("delete connection: %w", ErrNotFound)
	}
	return nil
}
