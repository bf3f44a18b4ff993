package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/plugboard/plugboard/shared"
)

// ShareRecord lets one user other than the owner use a connection. Its
// key is derived from the connection and the user, so a second share of
// the same pair is refused by the primary key itself: no read-then-write
// race, which FerretDB could not make atomic.
type ShareRecord struct {
	Key          string    `bson:"_id"`
	ConnectionID string    `bson:"connection_id"`
	OwnerID      string    `bson:"owner_id"`
	UserID       string    `bson:"user_id"`
	CreatedAt    time.Time `bson:"created_at"`
	CreatedBy    string    `bson:"created_by"`
}

func shareKey(connID, userID string) string { return connID + "/" + userID }

// PutShare stores a share unless the connection is already shared with
// that user, and returns the stored share either way; created says
// whether this call stored it.
func (s *Store) PutShare(ctx context.Context, r ShareRecord) (ShareRecord, bool, error) {
	r.Key = shareKey(r.ConnectionID, r.UserID)
	_, err := s.c(colShares).InsertOne(ctx, r)
	if err == nil {
		return r, true, nil
	}
	if err = mapErr(err); !errors.Is(err, ErrDuplicate) {
		return ShareRecord{}, false, fmt.Errorf("insert share: %w", err)
	}
	var have ShareRecord
	err = s.c(colShares).FindOne(ctx, bson.D{{Key: "_id", Value: r.Key}}).Decode(&have)
	switch err = mapErr(err); {
	case errors.Is(err, ErrNotFound):
		// The share was there when the insert ran and was deleted since:
		// this call took effect before that deletion, as a share already
		// made, so it answers the share it meant to store.
		return r, false, nil
	case err != nil:
		return ShareRecord{}, false, fmt.Errorf("get share: %w", err)
	}
	return have, false, nil
}

// GetShare finds the share of a connection with a user.
func (s *Store) GetShare(ctx context.Context, connID, userID string) (ShareRecord, error) {
	var r ShareRecord
	err := s.c(colShares).FindOne(ctx, bson.D{{Key: "_id", Value: shareKey(connID, userID)}}).Decode(&r)
	if err != nil {
		return ShareRecord{}, fmt.Errorf("get share: %w", mapErr(err))
	}
	return r, nil
}

// ListShares returns the shares of an owner's connection, oldest first.
func (s *Store) ListShares(ctx context.Context, owner, connID string) ([]ShareRecord, error) {
	return s.findShares(ctx, bson.D{{Key: "owner_id", Value: owner}, {Key: "connection_id", Value: connID}})
}

// SharesWith returns the shares of other owners' connections with a
// user, oldest first.
func (s *Store) SharesWith(ctx context.Context, userID string) ([]ShareRecord, error) {
	return s.findShares(ctx, bson.D{{Key: "user_id", Value: userID}})
}

func (s *Store) findShares(ctx context.Context, filter bson.D) ([]ShareRecord, error) {
	cur, err := s.c(colShares).Find(ctx, filter,
		options.Find().SetSort(bson.D{{Key: "created_at", Value: 1}, {Key: "_id", Value: 1}}))
	if err != nil {
		return nil, fmt.Errorf("list shares: %w", err)
	}
	var out []ShareRecord
	if err := cur.All(ctx, &out); err != nil {
		return nil, fmt.Errorf("list shares: %w", err)
	}
	return out, nil
}

// DeleteShare ends the share of an owner's connection with a user;
// ErrNotFound when there is none.
func (s *Store) DeleteShare(ctx context.Context, owner, connID, userID string) error {
	res, err := s.c(colShares).DeleteOne(ctx, bson.D{
		{Key: "_id", Value: shareKey(connID, userID)}, {Key: "owner_id", Value: owner},
	})
	if err != nil {
		return fmt.Errorf("delete share: %w", err)
	}
	if res.DeletedCount == 0 {
		return fmt.Errorf("delete share: %w", ErrNotFound)
	}
	return nil
}

// DeleteShares ends every share of an owner's connection.
func (s *Store) DeleteShares(ctx context.Context, owner, connID string) error {
	_, err := s.c(colShares).DeleteMany(ctx,
		bson.D{{Key: "owner_id", Value: owner}, {Key: "connection_id", Value: connID}})
	if err != nil {
		return fmt.Errorf("delete shares: %w", err)
	}
	return nil
}

// DeleteSharesOfOwner ends every share of an owner's connections, for
// when the owner may no longer share, and says how many it ended.
func (s *Store) DeleteSharesOfOwner(ctx context.Context, owner string) (int64, error) {
	res, err := s.c(colShares).DeleteMany(ctx, bson.D{{Key: "owner_id", Value: owner}})
	if err != nil {
		return 0, fmt.Errorf("delete shares of owner: %w", err)
	}
	return res.DeletedCount, nil
}

// DeleteSharesWith ends every share with a user, for when the user is
// deleted.
func (s *Store) DeleteSharesWith(ctx context.Context, userID string) error {
	if _, err := s.c(colShares).DeleteMany(ctx, bson.D{{Key: "user_id", Value: userID}}); err != nil {
		return fmt.Errorf("delete shares: %w", err)
	}
	return nil
}

// SharedConnections returns the connections shared with a user that
// match q, newest first. Each is read under the owner its share names,
// so a share can never reach past the connection it was made for.
func (s *Store) SharedConnections(ctx context.Context, userID string, q ConnectionQuery) ([]ConnectionRecord, error) {
	shares, err := s.SharesWith(ctx, userID)
	if err != nil || len(shares) == 0 {
		return nil, err
	}
	owners := make(map[string]string, len(shares))
	ids := make(bson.A, len(shares))
	for i, sh := range shares {
		owners[sh.ConnectionID], ids[i] = sh.OwnerID, sh.ConnectionID
	}
	recs, err := s.findConnections(ctx,
		queryFilter(bson.D{{Key: "_id", Value: bson.D{{Key: "$in", Value: ids}}}}, q))
	if err != nil {
		return nil, err
	}
	out := recs[:0]
	for _, r := range recs {
		if owners[r.Key] == r.OwnerID {
			out = append(out, r)
		}
	}
	return out, nil
}

// ErrAmbiguous: a link name names more than one connection shared with a
// user; only the connection's id tells them apart.
var ErrAmbiguous = errors.New("store: link name names more than one shared connection")

// SharedConnection finds a connection shared with a user by id, or by
// link name among those shared with them. Connections of different
// owners may have the same link name; a name that matches more than one
// is refused with ErrAmbiguous rather than resolved by a silent choice.
func (s *Store) SharedConnection(ctx context.Context, userID, ref string) (ConnectionRecord, error) {
	if shared.IsConnectionID(ref) {
		sh, err := s.GetShare(ctx, ref, userID)
		if err != nil {
			return ConnectionRecord{}, err
		}
		return s.connectionRecord(ctx, refFilter(sh.OwnerID, ref))
	}
	recs, err := s.SharedConnections(ctx, userID, ConnectionQuery{})
	if err != nil {
		return ConnectionRecord{}, err
	}
	var found []ConnectionRecord
	for _, r := range recs {
		if r.LinkName == ref {
			found = append(found, r)
		}
	}
	switch len(found) {
	case 0:
		return ConnectionRecord{}, fmt.Errorf("get shared connection: %w", ErrNotFound)
	case 1:
		return found[0], nil
	}
	return ConnectionRecord{}, fmt.Errorf("get shared connection %q: %w", ref, ErrAmbiguous)
}
