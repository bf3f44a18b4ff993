package api

import (
	"context"
	"net/http"
	"net/url"
	"strconv"

	"github.com/plugboard/plugboard/shared"
)

// ListAudit returns one page of the audit trail, newest first (admins
// only). Pass the page's NextBefore as q.Before to get the next, older
// page.
func (c *Client) ListAudit(ctx context.Context, q AuditQuery) (*AuditPage, error) {
	v := url.Values{}
	setIf(v, "action", string(q.Action))
	setIf(v, "actor", q.Actor)
	setIf(v, "target", q.Target)
	setIf(v, "before", q.Before)
	if q.Limit > 0 {
		v.Set("limit", strconv.Itoa(q.Limit))
	}
	var page AuditPage
	if err := c.do(ctx, http.MethodGet, withQuery(prefix+"/audit", v), nil, &page); err != nil {
		return nil, err
	}
	if page.Entries == nil {
		page.Entries = []shared.AuditEntry{}
	}
	return &page, nil
}
