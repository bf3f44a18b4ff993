package store

import (
	"context"
	"fmt"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/plugboard/plugboard/backend/internal/seal"
)

// Credential kinds.
const (
	KindOAuth2 = "oauth2"
	KindParams = "params"
)

// Credential holds a connection's secrets, sealed: OAuth 2.0 tokens, or the
// parameter values of a Basic Auth or API-key connection. It is kept apart
// from the connection so that reading connections never loads secrets.
type Credential struct {
	ConnectionID string      `bson:"_id"`
	OwnerID      string      `bson:"owner_id"`
	Kind         string      `bson:"kind"`
	Sealed       seal.Sealed `bson:"sealed"`
	// Version counts writes, so that a refresh can replace the tokens it
	// read and nothing newer.
	Version   int64     `bson:"version"`
	UpdatedAt time.Time `bson:"updated_at"`
}

// GetCredential returns a connection's credential.
func (s *Store) GetCredential(ctx context.Context, owner, connID string) (Credential, error) {
	var c Credential
	err := s.c(colCredentials).FindOne(ctx,
		bson.D{{Key: "_id", Value: connID}, {Key: "owner_id", Value: owner}}).Decode(&c)
	if err != nil {
		return Credential{}, fmt.Errorf("get credential: %w", mapErr(err))
	}
	return c, nil
}

// PutCredential stores a connection's credential whatever was there, and
// returns it with its new version.
func (s *Store) PutCredential(ctx context.Context, c Credential) (Credential, error) {
	var out Credential
	err := s.c(colCredentials).FindOneAndUpdate(ctx,
		bson.D{{Key: "_id", Value: c.ConnectionID}, {Key: "owner_id", Value: c.OwnerID}},
		bson.D{
			{Key: "$set", Value: bson.D{
				{Key: "kind", Value: c.Kind},
				{Key: "sealed", Value: c.Sealed},
				{Key: "updated_at", Value: c.UpdatedAt},
			}},
			{Key: "$inc", Value: bson.D{{Key: "version", Value: 1}}},
		},
		options.FindOneAndUpdate().SetUpsert(true).SetReturnDocument(options.After)).Decode(&out)
	if err != nil {
		return Credential{}, fmt.Errorf("put credential: %w", mapErr(err))
	}
	return out, nil
}

// SwapCredential replaces a credential only if it is still at version
// c.Version, and returns it at its new version; ErrConflict when another
// writer came first. On MongoDB the check and the write are one atomic
// step. FerretDB v1 reads the filter apart from the write, so there two
// racing swaps can both succeed: the refresh lease, not this check, is
// what keeps refreshes of one connection apart.
func (s *Store) SwapCredential(ctx context.Context, c Credential) (Credential, error) {
	var out Credential
	err := s.c(colCredentials).FindOneAndUpdate(ctx,
		bson.D{
			{Key: "_id", Value: c.ConnectionID},
			{Key: "owner_id", Value: c.OwnerID},
			{Key: "version", Value: c.Version},
		},
		bson.D{
			{Key: "$set", Value: bson.D{
				{Key: "sealed", Value: c.Sealed},
				{Key: "updated_at", Value: c.UpdatedAt},
			}},
			{Key: "$inc", Value: bson.D{{Key: "version", Value: 1}}},
		},
		options.FindOneAndUpdate().SetReturnDocument(options.After)).Decode(&out)
	if err != nil {
		err = mapErr(err)
		if err == ErrNotFound {
			err = ErrConflict
		}
		return Credential{}, fmt.Errorf("swap credential: %w", err)
	}
	return out, nil
}

// DeleteCredential removes a connection's credential, if any.
func (s *Store) DeleteCredential(ctx context.Context, owner, connID string) error {
	_, err := s.c(colCredentials).DeleteOne(ctx,
		bson.D{{Key: "_id", Value: connID}, {Key: "owner_id", Value: owner}})
	if err != nil {
		return fmt.Errorf("delete credential: %w", err)
	}
	return nil
}
