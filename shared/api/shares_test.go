package api

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/plugboard/plugboard/shared"
)

// newSharesServer implements the share routes of CONTRACT.md by hand,
// for connection "my github" shared with user u2.
func newSharesServer(t *testing.T) *httptest.Server {
	mux := http.NewServeMux()
	share := map[string]any{"connection_id": "c1", "user_id": "u2", "username": "bob",
		"created_at": "2030-01-01T00:00:00Z", "created_by": "u1"}
	known := func(w http.ResponseWriter, r *http.Request) bool {
		if r.PathValue("ref") != "my github" {
			problem(w, http.StatusNotFound, shared.CodeNotFound, "no such connection", nil)
			return false
		}
		return true
	}
	const one = "/api/v1/connections/{ref}/shares/{user}"
	mux.HandleFunc("GET /api/v1/connections/{ref}/shares", func(w http.ResponseWriter, r *http.Request) {
		if known(w, r) {
			writeJSON(w, http.StatusOK, map[string]any{"shares": []any{share}})
		}
	})
	mux.HandleFunc("PUT "+one, func(w http.ResponseWriter, r *http.Request) {
		if !known(w, r) {
			return
		}
		if r.PathValue("user") == "u1" {
			problem(w, http.StatusUnprocessableEntity, shared.CodeValidation,
				"A connection cannot be shared with its owner.", nil)
			return
		}
		writeJSON(w, http.StatusOK, share)
	})
	mux.HandleFunc("DELETE "+one, func(w http.ResponseWriter, r *http.Request) {
		if !known(w, r) {
			return
		}
		if r.PathValue("user") != "u2" {
			problem(w, http.StatusNotFound, shared.CodeNotFound, "not shared with this user", nil)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv
}

func TestShares(t *testing.T) {
	c := New(newSharesServer(t).URL, WithAPIKey(testKey))
	ctx := context.Background()

	shares, err := c.ListShares(ctx, "my github")
	if err != nil || len(shares) != 1 || shares[0].Username != "bob" || shares[0].CreatedBy != "u1" {
		t.Fatalf("list: got %+v, %v; want one share with bob", shares, err)
	}

	s, err := c.Share(ctx, "my github", "u2")
	if err != nil || s.UserID != "u2" || s.ConnectionID != "c1" {
		t.Errorf("share: got %+v, %v", s, err)
	}
	_, err = c.Share(ctx, "my github", "u1")
	if p, ok := AsProblem(err); !ok || p.Status != http.StatusUnprocessableEntity {
		t.Errorf("share with the owner: got %v, want 422", err)
	}

	if err := c.Unshare(ctx, "my github", "u2"); err != nil {
		t.Errorf("unshare: got %v, want nil", err)
	}
	err = c.Unshare(ctx, "my github", "u9")
	if p, ok := AsProblem(err); !ok || p.Code != shared.CodeNotFound {
		t.Errorf("unshare not shared: got %v, want 404", err)
	}
}
