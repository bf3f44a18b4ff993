package httpapi_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sync"
	"testing"

	"github.com/plugboard/plugboard/shared"
)

// usernameOf asks the server whose key this is and returns their
// username, the name the history and the trail know them by.
func usernameOf(t *testing.T, key string) string {
	t.Helper()
	r := call(t, http.MethodGet, "/api/v1/session", key, nil)
	wantStatus(t, r, http.StatusOK)
	var s struct {
		User shared.User `json:"user"`
	}
	if err := json.Unmarshal(r.body, &s); err != nil || s.User.Username == "" {
		t.Fatalf("%s: got no username (%v)", r, err)
	}
	return s.User.Username
}

// newUser adds a user and returns their id and API key.
func newUser(t *testing.T, name string) (id, key string) {
	t.Helper()
	id, key, err := env.srv.CreateOwner(context.Background(), unique(name))
	if err != nil {
		t.Fatalf("create user: %v", err)
	}
	return id, key
}

// shopAPI is a fake Basic Auth service: GET /api/me accepts one user
// name and password; every other path answers with the Authorization
// header it got.
type shopAPI struct {
	*httptest.Server
	user, pass string
	mu         sync.Mutex
	seen       []string
}

func newShopAPI(t *testing.T, user, pass string) *shopAPI {
	t.Helper()
	api := &shopAPI{user: user, pass: pass}
	api.Server = httptest.NewServer(http.HandlerFunc(api.serve))
	t.Cleanup(api.Close)
	return api
}

func (a *shopAPI) serve(w http.ResponseWriter, r *http.Request) {
	u, p, ok := r.BasicAuth()
	if r.URL.Path == "/api/me" {
		if !ok || u != a.user || p != a.pass {
			w.WriteHeader(http.StatusUnauthorized)
		}
		return
	}
	a.mu.Lock()
	a.seen = append(a.seen, r.Header.Get("Authorization"))
	a.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(map[string]string{"path": r.URL.Path})
}

// authorizations returns the Authorization headers the API was called
// with, outside of verification.
func (a *shopAPI) authorizations() []string {
	a.mu.Lock()
	defer a.mu.Unlock()
	return append([]string(nil), a.seen...)
}

// service is a Basic Auth service definition for this API.
func (a *shopAPI) service(id string) obj {
	return obj{
		"id": id, "name": "Shop " + id, "auth_type": "basic",
		"api_base_url":   a.URL + "/api",
		"verify_request": obj{"path": "/me"},
		"params": []obj{
			{"name": "user", "display_name": "User name", "in": "username", "required": true},
			{"name": "pass", "display_name": "Password", "in": "password", "secret": true},
		},
	}
}

// connected creates a service for the API and a connection to it for the
// owner of key, authorized with the API's user name and password.
func (a *shopAPI) connected(t *testing.T, key string) fixture {
	t.Helper()
	svc := createService(t, key, a.service(unique("shop-api-")))
	conn := createConnection(t, key, obj{"name": unique("Shop API "), "service_id": svc.ID})
	r := call(t, http.MethodPost, "/api/v1/connections/"+conn.ID+"/authorize", key,
		obj{"params": obj{"user": a.user, "pass": a.pass}})
	wantStatus(t, r, http.StatusOK)
	return fixture{svc: svc, conn: conn}
}

// auditPage is the answer of GET /audit.
type auditPage struct {
	Entries    []shared.AuditEntry `json:"entries"`
	NextBefore string              `json:"next_before"`
}

// auditEntries reads every entry the query selects, page by page.
func auditEntries(t *testing.T, query url.Values) []shared.AuditEntry {
	t.Helper()
	var out []shared.AuditEntry
	q := url.Values{}
	for k, v := range query {
		q[k] = v
	}
	q.Set("limit", "200")
	for range 100 {
		r := call(t, http.MethodGet, "/api/v1/audit?"+q.Encode(), env.key, nil)
		wantStatus(t, r, http.StatusOK)
		page := decodeAs[auditPage](t, r)
		out = append(out, page.Entries...)
		if page.NextBefore == "" {
			return out
		}
		q.Set("before", page.NextBefore)
	}
	t.Fatalf("the trail for %v did not end after 100 pages", query)
	return nil
}

// actionsOf lists the actions of entries, in their order.
func actionsOf(entries []shared.AuditEntry) []shared.AuditAction {
	out := make([]shared.AuditAction, len(entries))
	for i, e := range entries {
		out[i] = e.Action
	}
	return out
}
