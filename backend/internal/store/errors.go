package store

import (
	"errors"
	"strings"

	"go.mongodb.org/mongo-driver/v2/mongo"
)

// Errors callers branch on.
var (
	// ErrNotFound: no record with that id for that owner.
	ErrNotFound = errors.New("store: not found")
	// ErrDuplicate: a unique index refused the write.
	ErrDuplicate = errors.New("store: duplicate key")
	// ErrConflict: the record changed since it was read.
	ErrConflict = errors.New("store: changed concurrently")
)

// mapErr turns driver errors into this package's sentinels.
func mapErr(err error) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, mongo.ErrNoDocuments):
		return ErrNotFound
	case isDuplicate(err):
		return errors.Join(ErrDuplicate, err)
	}
	return err
}

// isDuplicate reports whether err is a unique index violation. MongoDB
// answers E11000 on every path. FerretDB v1 does too on inserts and
// upserts, but on the update path (updateOne, findOneAndUpdate into an
// existing value) it answers InternalError with SQLite's "UNIQUE
// constraint failed" message; there is no other signal to read, so that
// one case is matched by its text.
func isDuplicate(err error) bool {
	if mongo.IsDuplicateKeyError(err) {
		return true
	}
	var se mongo.ServerError
	if errors.As(err, &se) && se.HasErrorCode(1) {
		return strings.Contains(err.Error(), "UNIQUE constraint failed")
	}
	return false
}
