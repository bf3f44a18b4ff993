package store

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/plugboard/plugboard/shared"
)

// auditRecord is a stored audit entry.
type auditRecord struct {
	Key               string `bson:"_id"`
	shared.AuditEntry `bson:",inline"`
}

// InsertAudit appends an entry to the audit trail.
func (s *Store) InsertAudit(ctx context.Context, e shared.AuditEntry) error {
	if _, err := s.c(colAudit).InsertOne(ctx, auditRecord{Key: e.ID, AuditEntry: e}); err != nil {
		return fmt.Errorf("insert audit entry: %w", err)
	}
	return nil
}

// ErrBadCursor: a paging cursor that this package did not write.
var ErrBadCursor = errors.New("store: bad cursor")

// AuditCursor marks a place in the trail: the entries after it (older
// ones) come next. Its text form is opaque to clients.
type AuditCursor struct {
	Time time.Time
	ID   string
}

// String encodes the cursor for a client to send back.
func (c AuditCursor) String() string {
	return base64.RawURLEncoding.EncodeToString(
		[]byte(strconv.FormatInt(c.Time.UnixMilli(), 10) + ":" + c.ID))
}

// ParseAuditCursor reads a cursor written by AuditCursor.String;
// ErrBadCursor when s is not one.
func ParseAuditCursor(s string) (AuditCursor, error) {
	raw, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil || len(s) > 128 {
		return AuditCursor{}, ErrBadCursor
	}
	ms, id, ok := strings.Cut(string(raw), ":")
	n, err := strconv.ParseInt(ms, 10, 64)
	if !ok || err != nil || !isRecordID(id) {
		return AuditCursor{}, ErrBadCursor
	}
	return AuditCursor{Time: time.UnixMilli(n).UTC(), ID: id}, nil
}

// isRecordID reports whether s has the form NewID gives.
func isRecordID(s string) bool {
	_, err := bson.ObjectIDFromHex(s)
	return err == nil && len(s) == 24
}

// AuditQuery narrows ListAudit. Empty fields match every entry.
type AuditQuery struct {
	Action   shared.AuditAction
	ActorID  string
	TargetID string
	// Before, when set, skips the entries up to and including it.
	Before *AuditCursor
	// Limit caps how many entries come back; it must be positive.
	Limit int64
}

// ListAudit returns audit entries newest first (by time, then id), at
// most q.Limit of them.
func (s *Store) ListAudit(ctx context.Context, q AuditQuery) ([]shared.AuditEntry, error) {
	filter := bson.D{}
	if q.Action != "" {
		filter = append(filter, bson.E{Key: "action", Value: q.Action})
	}
	if q.ActorID != "" {
		filter = append(filter, bson.E{Key: "actor_id", Value: q.ActorID})
	}
	if q.TargetID != "" {
		filter = append(filter, bson.E{Key: "target_id", Value: q.TargetID})
	}
	if b := q.Before; b != nil {
		filter = append(filter, bson.E{Key: "$or", Value: bson.A{
			bson.D{{Key: "time", Value: bson.D{{Key: "$lt", Value: b.Time}}}},
			bson.D{{Key: "time", Value: b.Time}, {Key: "_id", Value: bson.D{{Key: "$lt", Value: b.ID}}}},
		}})
	}
	cur, err := s.c(colAudit).Find(ctx, filter, options.Find().
		SetSort(bson.D{{Key: "time", Value: -1}, {Key: "_id", Value: -1}}).
		SetLimit(q.Limit))
	if err != nil {
		return nil, fmt.Errorf("list audit entries: %w", err)
	}
	var recs []auditRecord
	if err := cur.All(ctx, &recs); err != nil {
		return nil, fmt.Errorf("list audit entries: %w", err)
	}
	out := make([]shared.AuditEntry, len(recs))
	for i, r := range recs {
		out[i] = r.AuditEntry
	}
	return out, nil
}
