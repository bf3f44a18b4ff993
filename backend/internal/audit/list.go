package audit

import (
	"context"
	"errors"

	"github.com/plugboard/plugboard/backend/internal/store"
	"github.com/plugboard/plugboard/shared"
)

// Page sizes of the trail.
const (
	DefaultLimit = 50
	MaxLimit     = 200
)

// ErrBadCursor: a page was asked for after a cursor that no page gave.
var ErrBadCursor = errors.New("audit: bad cursor")

// Page is one page of the trail, newest first. NextBefore, when set, is
// the opaque cursor that asks for the page after it.
type Page struct {
	Entries    []shared.AuditEntry `json:"entries"`
	NextBefore string              `json:"next_before,omitempty"`
}

// Query narrows a page of the trail. Empty fields match every entry.
type Query struct {
	Action   shared.AuditAction
	ActorID  string
	TargetID string
	// Before is the NextBefore of the previous page; empty for the
	// newest entries.
	Before string
	// Limit is the page size, from 1 to MaxLimit; DefaultLimit when 0.
	Limit int
}

// List returns one page of the trail, newest first, with the cursor of
// the next page when there are more entries.
func (r *Recorder) List(ctx context.Context, q Query) (Page, error) {
	limit := q.Limit
	if limit <= 0 {
		limit = DefaultLimit
	}
	limit = min(limit, MaxLimit)
	sq := store.AuditQuery{Action: q.Action, ActorID: q.ActorID, TargetID: q.TargetID,
		Limit: int64(limit) + 1}
	if q.Before != "" {
		c, err := store.ParseAuditCursor(q.Before)
		if err != nil {
			return Page{}, ErrBadCursor
		}
		sq.Before = &c
	}

	entries, err := r.store.ListAudit(ctx, sq)
	if err != nil {
		return Page{}, err
	}
	page := Page{Entries: entries}
	if len(entries) > limit {
		page.Entries = entries[:limit]
		last := page.Entries[limit-1]
		page.NextBefore = store.AuditCursor{Time: last.Time, ID: last.ID}.String()
	}
	return page, nil
}
