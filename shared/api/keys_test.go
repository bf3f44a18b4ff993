package api

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"slices"
	"testing"
	"time"

	"github.com/plugboard/plugboard/shared"
)

// newKeysServer implements the key routes of CONTRACT.md by hand, with
// the contract's shapes.
func newKeysServer(t *testing.T) *httptest.Server {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /api/v1/keys", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, map[string]any{"keys": []any{
			map[string]any{"id": "k1", "name": "first key", "rights": []string{"read", "manage", "use"},
				"created_at": "2030-01-01T00:00:00Z", "last_used_at": "2030-01-02T00:00:00Z"},
			map[string]any{"id": "k2", "name": "CI", "rights": []string{"use"},
				"created_at": "2030-01-03T00:00:00Z"},
		}})
	})
	mux.HandleFunc("POST /api/v1/keys", func(w http.ResponseWriter, r *http.Request) {
		var in map[string]any
		if err := json.NewDecoder(r.Body).Decode(&in); err != nil || len(in) != 2 {
			problem(w, http.StatusBadRequest, shared.CodeInvalidJSON, "want name and rights", nil)
			return
		}
		writeJSON(w, http.StatusCreated, map[string]any{"id": "k3", "name": in["name"],
			"rights": in["rights"], "created_at": "2030-01-04T00:00:00Z", "key": "pb_key_new"})
	})
	mux.HandleFunc("DELETE /api/v1/keys/{id}", func(w http.ResponseWriter, r *http.Request) {
		if r.PathValue("id") != "k2" {
			problem(w, http.StatusNotFound, shared.CodeNotFound, "no such key", nil)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv
}

func TestKeys(t *testing.T) {
	c := New(newKeysServer(t).URL, WithAPIKey(testKey))
	ctx := context.Background()

	keys, err := c.ListKeys(ctx)
	if err != nil {
		t.Fatalf("list: %v", err)
	}
	used := time.Date(2030, 1, 2, 0, 0, 0, 0, time.UTC)
	if len(keys) != 2 || !keys[0].LastUsedAt.Equal(used) || !keys[1].LastUsedAt.IsZero() ||
		!slices.Equal(keys[1].Rights, []shared.Right{shared.RightUse}) {
		t.Errorf("list: got %+v, want two keys, the first used on %v", keys, used)
	}

	k, err := c.CreateKey(ctx, shared.KeyInput{Name: "CI", Rights: []shared.Right{shared.RightRead}})
	if err != nil {
		t.Fatalf("create: %v", err)
	}
	if k.Key != "pb_key_new" || k.ID != "k3" || k.Name != "CI" ||
		!slices.Equal(k.Rights, []shared.Right{shared.RightRead}) {
		t.Errorf("create: got %+v, want key pb_key_new named CI with read", k)
	}

	if err := c.DeleteKey(ctx, "k2"); err != nil {
		t.Errorf("delete: got %v, want nil", err)
	}
	err = c.DeleteKey(ctx, "k9")
	if p, ok := AsProblem(err); !ok || p.Code != shared.CodeNotFound {
		t.Errorf("delete unknown: got %v, want a 404 problem", err)
	}
}
