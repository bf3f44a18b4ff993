package store

import (
	"context"
	"fmt"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/plugboard/plugboard/backend/internal/seal"
)

// AuthState is an OAuth 2.0 authorization in progress. It lives in the
// database so that any server instance can finish a flow another started.
// Its id is the hash of the state parameter, which is never stored.
type AuthState struct {
	Hash         string      `bson:"_id"`
	OwnerID      string      `bson:"owner_id"`
	ConnectionID string      `bson:"connection_id"`
	Verifier     seal.Sealed `bson:"verifier"`
	Scopes       []string    `bson:"scopes"`
	CreatedAt    time.Time   `bson:"created_at"`
	ExpiresAt    time.Time   `bson:"expires_at"`
	// Binding is the hash of the value the browser that started the flow
	// keeps, which it must show at the callback; empty when a program
	// started the flow, as it has no browser to bind.
	Binding string `bson:"binding,omitempty"`
}

// InsertState stores a new authorization state.
func (s *Store) InsertState(ctx context.Context, st AuthState) error {
	if _, err := s.c(colStates).InsertOne(ctx, st); err != nil {
		return fmt.Errorf("insert state: %w", mapErr(err))
	}
	return nil
}

// TakeState deletes and returns the state with the given hash, expired or
// not; the caller checks ExpiresAt. Deleting is what makes a state usable
// once, even when two callbacks race on two instances: only the one whose
// delete removed the document gets it. FerretDB v1 answers a racing
// findOneAndDelete with the document for every caller, so the state is
// read first and the delete's count decides.
func (s *Store) TakeState(ctx context.Context, hash string) (AuthState, error) {
	filter := bson.D{{Key: "_id", Value: hash}}
	var st AuthState
	if err := s.c(colStates).FindOne(ctx, filter).Decode(&st); err != nil {
		return AuthState{}, fmt.Errorf("take state: %w", mapErr(err))
	}
	res, err := s.c(colStates).DeleteOne(ctx, filter)
	if err != nil {
		return AuthState{}, fmt.Errorf("take state: %w", err)
	}
	if res.DeletedCount != 1 {
		return AuthState{}, fmt.Errorf("take state: %w", ErrNotFound)
	}
	return st, nil
}
