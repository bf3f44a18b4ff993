package store

import (
	"context"
	"fmt"

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
