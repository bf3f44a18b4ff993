package store

import (
	"context"
	"fmt"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/plugboard/plugboard/backend/internal/seal"
	"github.com/plugboard/plugboard/shared"
)

// ServiceRecord is an owner's custom service, or an owner's settings for a
// built-in one (its client credentials and default scopes). Def never
// holds the client secret: that is sealed in ClientSecret.
type ServiceRecord struct {
	Key          string         `bson:"_id"`
	OwnerID      string         `bson:"owner_id"`
	ServiceID    string         `bson:"service_id"`
	Def          shared.Service `bson:"def"`
	ClientSecret *seal.Sealed   `bson:"client_secret,omitempty"`
	Version      int64          `bson:"version"`
}

func serviceKey(owner, id string) string { return owner + "/" + id }

func ownerFilter(owner string) bson.D { return bson.D{{Key: "owner_id", Value: owner}} }

// ListServices returns every service record of an owner.
func (s *Store) ListServices(ctx context.Context, owner string) ([]ServiceRecord, error) {
	cur, err := s.c(colServices).Find(ctx, ownerFilter(owner),
		options.Find().SetSort(bson.D{{Key: "service_id", Value: 1}}))
	if err != nil {
		return nil, fmt.Errorf("list services: %w", err)
	}
	var out []ServiceRecord
	if err := cur.All(ctx, &out); err != nil {
		return nil, fmt.Errorf("list services: %w", err)
	}
	return out, nil
}

// GetService returns an owner's record for a service id.
func (s *Store) GetService(ctx context.Context, owner, id string) (ServiceRecord, error) {
	var r ServiceRecord
	err := s.c(colServices).FindOne(ctx, bson.D{{Key: "_id", Value: serviceKey(owner, id)}}).Decode(&r)
	if err != nil {
		return ServiceRecord{}, fmt.Errorf("get service: %w", mapErr(err))
	}
	return r, nil
}

// InsertService stores a new record; ErrDuplicate when the owner already
// has one with that id.
func (s *Store) InsertService(ctx context.Context, r ServiceRecord) error {
	r.Key = serviceKey(r.OwnerID, r.ServiceID)
	r.Def.ClientSecret = ""
	r.Version = 1
	if _, err := s.c(colServices).InsertOne(ctx, r); err != nil {
		return fmt.Errorf("insert service: %w", mapErr(err))
	}
	return nil
}

// ReplaceService overwrites a record if it is still at the version read
// (r.Version), and returns it at its new version; ErrConflict otherwise.
func (s *Store) ReplaceService(ctx context.Context, r ServiceRecord) (ServiceRecord, error) {
	r.Key = serviceKey(r.OwnerID, r.ServiceID)
	r.Def.ClientSecret = ""
	old := r.Version
	r.Version++
	res, err := s.c(colServices).ReplaceOne(ctx,
		bson.D{{Key: "_id", Value: r.Key}, {Key: "version", Value: old}}, r)
	if err != nil {
		return ServiceRecord{}, fmt.Errorf("replace service: %w", mapErr(err))
	}
	if res.MatchedCount == 0 {
		return ServiceRecord{}, fmt.Errorf("replace service: %w", ErrConflict)
	}
	return r, nil
}

// DeleteService removes a record.
func (s *Store) DeleteService(ctx context.Context, owner, id string) error {
	res, err := s.c(colServices).DeleteOne(ctx, bson.D{{Key: "_id", Value: serviceKey(owner, id)}})
	if err != nil {
		return fmt.Errorf("delete service: %w", err)
	}
	if res.DeletedCount == 0 {
		return fmt.Errorf("delete service: %w", ErrNotFound)
	}
	return nil
}
