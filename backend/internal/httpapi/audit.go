package httpapi

import (
	"errors"
	"slices"
	"strconv"
	"strings"
	"unicode"

	"github.com/gofiber/fiber/v2"

	"github.com/plugboard/plugboard/backend/internal/audit"
	"github.com/plugboard/plugboard/shared"
)

// listAudit answers a page of the audit trail, every user's entries,
// newest first. Only admins reach it (see requireAdmin).
func (s *server) listAudit(c *fiber.Ctx) error {
	q, err := auditQuery(c)
	if err != nil {
		return err
	}
	page, err := s.audit.List(c.UserContext(), q)
	if errors.Is(err, audit.ErrBadCursor) {
		return fieldProblem("before", "is not a cursor from an earlier page; send next_before as it came")
	}
	if err != nil {
		return err
	}
	page.Entries = nonNil(page.Entries)
	return c.JSON(page)
}

// auditQuery reads and checks the filters of GET /audit.
func auditQuery(c *fiber.Ctx) (audit.Query, error) {
	q := audit.Query{
		Action:   shared.AuditAction(c.Query("action")),
		ActorID:  c.Query("actor"),
		TargetID: c.Query("target"),
		Before:   c.Query("before"),
	}
	var fe shared.FieldErrors
	if q.Action != "" && !slices.Contains(shared.AuditActions, q.Action) {
		fe.Add("action", "is not one of the actions the trail records")
	}
	for _, f := range []struct{ name, value string }{
		{"actor", q.ActorID}, {"target", q.TargetID}, {"before", q.Before},
	} {
		if msg := checkFilter(f.value); msg != "" {
			fe.Add(f.name, "%s", msg)
		}
	}
	if v := c.Query("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > audit.MaxLimit {
			fe.Add("limit", "must be a whole number from 1 to %d", audit.MaxLimit)
		}
		q.Limit = n
	}
	return q, fe.Err()
}

// checkFilter returns what is wrong with an id given as a filter, or "".
func checkFilter(v string) string {
	switch {
	case len(v) > 128:
		return "is longer than 128 characters"
	case strings.ContainsFunc(v, func(r rune) bool { return unicode.IsControl(r) || unicode.IsSpace(r) }):
		return "may not contain spaces or control characters"
	}
	return ""
}
