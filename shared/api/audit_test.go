package api

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/plugboard/plugboard/shared"
)

// newAuditServer implements GET /audit of CONTRACT.md by hand: two pages
// of one entry each, and the query it last saw in query.
func newAuditServer(t *testing.T, query *string) *httptest.Server {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /api/v1/audit", func(w http.ResponseWriter, r *http.Request) {
		*query = r.URL.RawQuery
		if r.URL.Query().Get("before") == "" {
			writeJSON(w, http.StatusOK, map[string]any{"entries": []any{map[string]any{
				"id": "a2", "time": "2030-01-02T00:00:00Z", "action": "user_created",
				"outcome": "ok", "actor_id": "u1", "actor_name": "ada", "via": "session",
				"ip": "192.0.2.1", "target_type": "user", "target_id": "u2", "target_name": "bob",
			}}, "next_before": "cursor-1"})
			return
		}
		writeJSON(w, http.StatusOK, map[string]any{"entries": []any{map[string]any{
			"id": "a1", "time": "2030-01-01T00:00:00Z", "action": "sign_in_failed",
			"outcome": "failed", "actor_name": "mallory",
		}}})
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv
}

func TestListAudit(t *testing.T) {
	var query string
	c := New(newAuditServer(t, &query).URL, WithAPIKey(testKey))
	ctx := context.Background()

	page, err := c.ListAudit(ctx, AuditQuery{})
	if err != nil {
		t.Fatalf("first page: %v", err)
	}
	if query != "" {
		t.Errorf("first page query: got %q, want none", query)
	}
	if len(page.Entries) != 1 || page.Entries[0].Action != shared.AuditUserCreated ||
		page.Entries[0].TargetName != "bob" || page.NextBefore != "cursor-1" {
		t.Errorf("first page: got %+v, want user_created of bob and a cursor", page)
	}

	page, err = c.ListAudit(ctx, AuditQuery{Action: shared.AuditSignInFailed, Actor: "u1",
		Target: "u2", Before: page.NextBefore, Limit: 10})
	if err != nil {
		t.Fatalf("second page: %v", err)
	}
	if want := "action=sign_in_failed&actor=u1&before=cursor-1&limit=10&target=u2"; query != want {
		t.Errorf("second page query: got %q, want %q", query, want)
	}
	if len(page.Entries) != 1 || page.Entries[0].Outcome != shared.OutcomeFailed || page.NextBefore != "" {
		t.Errorf("second page: got %+v, want one failed entry and no cursor", page)
	}
}
