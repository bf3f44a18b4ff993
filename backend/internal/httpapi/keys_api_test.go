package httpapi_test

import (
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/plugboard/plugboard/shared"
)

// createKey makes an API key with rights for the owner of key.
func createKey(t *testing.T, key string, rights ...shared.Right) shared.NewAPIKey {
	t.Helper()
	r := call(t, http.MethodPost, "/api/v1/keys", key, obj{"name": unique("key "), "rights": rights})
	wantStatus(t, r, http.StatusCreated)
	return decodeAs[shared.NewAPIKey](t, r)
}

// listKeys returns the keys the owner of key sees, and the raw answer.
func listKeys(t *testing.T, key string) ([]shared.APIKey, reply) {
	t.Helper()
	r := call(t, http.MethodGet, "/api/v1/keys", key, nil)
	wantStatus(t, r, http.StatusOK)
	return decodeAs[struct {
		Keys []shared.APIKey `json:"keys"`
	}](t, r).Keys, r
}

func TestCreateKeyWithRights(t *testing.T) {
	read, manage, use := shared.RightRead, shared.RightManage, shared.RightUse
	tests := []struct {
		name   string
		rights []shared.Right
		want   []shared.Right
	}{
		{"read", []shared.Right{read}, []shared.Right{read}},
		{"manage", []shared.Right{manage}, []shared.Right{manage}},
		{"use", []shared.Right{use}, []shared.Right{use}},
		{"read and manage", []shared.Right{read, manage}, []shared.Right{read, manage}},
		{"read and use", []shared.Right{use, read}, []shared.Right{read, use}},
		{"manage and use", []shared.Right{manage, use}, []shared.Right{manage, use}},
		{"all", []shared.Right{use, manage, read}, shared.AllRights},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			k := createKey(t, env.key, tt.rights...)
			if !strings.HasPrefix(k.Key, "pb_key_") || k.ID == "" {
				t.Errorf("got key %q with id %q, want a pb_key_ key and an id", k.Key, k.ID)
			}
			if !slices.Equal(k.Rights, tt.want) {
				t.Errorf("got rights %v, want %v", k.Rights, tt.want)
			}
			if !k.LastUsedAt.IsZero() {
				t.Errorf("got last_used_at %v for a new key, want none", k.LastUsedAt)
			}
			wantStatus(t, call(t, http.MethodGet, "/api/v1/session", k.Key, nil), http.StatusOK)
		})
	}
}

func TestListKeysShowsLastUseNeverKey(t *testing.T) {
	k := createKey(t, env.key, shared.RightRead)
	find := func(keys []shared.APIKey) shared.APIKey {
		t.Helper()
		for _, got := range keys {
			if got.ID == k.ID {
				return got
			}
		}
		t.Fatalf("got keys %v, want one with id %s", keys, k.ID)
		return shared.APIKey{}
	}

	before, _ := listKeys(t, env.key)
	if got := find(before); !got.LastUsedAt.IsZero() || got.Name != k.Name {
		t.Errorf("before use: got %+v, want name %q and no last_used_at", got, k.Name)
	}
	wantStatus(t, call(t, http.MethodGet, "/api/v1/connections", k.Key, nil), http.StatusOK)
	after, r := listKeys(t, env.key)
	if got := find(after); got.LastUsedAt.Before(k.CreatedAt) {
		t.Errorf("after use: got last_used_at %v, want at or after %v", got.LastUsedAt, k.CreatedAt)
	}

	sum := sha256.Sum256([]byte(k.Key))
	for _, secret := range []string{k.Key, hex.EncodeToString(sum[:]), env.key} {
		if strings.Contains(string(r.body), secret) {
			t.Errorf("the key list holds a key or a key's hash: %s", r.body)
		}
	}
	if strings.Contains(string(r.body), `"key"`) || strings.Contains(string(r.body), `"hash"`) {
		t.Errorf("the key list has a key or hash field: %s", r.body)
	}
}

func TestKeyRightsAreEnforced(t *testing.T) {
	f := newFixture(t, env.key)
	conn := "/api/v1/connections/" + f.conn.ID
	readOnly := createKey(t, env.key, shared.RightRead).Key
	useOnly := createKey(t, env.key, shared.RightUse).Key
	manageOnly := createKey(t, env.key, shared.RightManage).Key
	tests := []struct {
		name         string
		key          string
		method, path string
		body         any
		status       int
		code         shared.Code
		// missing is the right a 403 must name.
		missing shared.Right
	}{
		{name: "read lists connections", key: readOnly, method: http.MethodGet,
			path: "/api/v1/connections", status: 200},
		{name: "read creates a service", key: readOnly, method: http.MethodPost,
			path: "/api/v1/services", body: basicService(unique("ro-")), status: 403,
			code: shared.CodeForbidden, missing: shared.RightManage},
		{name: "read changes a connection", key: readOnly, method: http.MethodPatch,
			path: conn, body: obj{"name": "Changed"}, status: 403,
			code: shared.CodeForbidden, missing: shared.RightManage},
		{name: "read deletes a connection", key: readOnly, method: http.MethodDelete,
			path: conn, status: 403, code: shared.CodeForbidden, missing: shared.RightManage},
		{name: "read creates a key", key: readOnly, method: http.MethodPost,
			path: "/api/v1/keys", body: obj{"name": "more", "rights": []string{"use"}},
			status: 403, code: shared.CodeForbidden, missing: shared.RightManage},
		{name: "read calls the proxy", key: readOnly, method: http.MethodGet,
			path: conn + "/proxy/items", status: 403, code: shared.CodeForbidden,
			missing: shared.RightUse},
		{name: "read posts to the proxy", key: readOnly, method: http.MethodPost,
			path: conn + "/proxy/items", body: obj{"a": 1}, status: 403,
			code: shared.CodeForbidden, missing: shared.RightUse},
		{name: "read asks for the token", key: readOnly, method: http.MethodGet,
			path: conn + "/token", status: 403, code: shared.CodeForbidden,
			missing: shared.RightUse},
		{name: "use lists connections", key: useOnly, method: http.MethodGet,
			path: "/api/v1/connections", status: 403, code: shared.CodeForbidden,
			missing: shared.RightRead},
		{name: "use lists keys", key: useOnly, method: http.MethodGet,
			path: "/api/v1/keys", status: 403, code: shared.CodeForbidden,
			missing: shared.RightRead},
		{name: "use reaches the proxy", key: useOnly, method: http.MethodGet,
			path: conn + "/proxy/items", status: 409, code: shared.CodeNotConnected},
		{name: "use reaches the token route", key: useOnly, method: http.MethodGet,
			path: conn + "/token", status: 409, code: shared.CodeWrongAuthType},
		{name: "manage reads a connection", key: manageOnly, method: http.MethodGet,
			path: conn, status: 403, code: shared.CodeForbidden, missing: shared.RightRead},
		{name: "manage changes a connection", key: manageOnly, method: http.MethodPatch,
			path: conn, body: obj{"name": f.conn.Name}, status: 200},
		{name: "manage calls the proxy", key: manageOnly, method: http.MethodGet,
			path: conn + "/proxy/items", status: 403, code: shared.CodeForbidden,
			missing: shared.RightUse},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := call(t, tt.method, tt.path, tt.key, tt.body)
			if tt.code == "" {
				wantStatus(t, r, tt.status)
				return
			}
			p := wantProblem(t, r, tt.status, tt.code)
			if tt.missing != "" && !strings.Contains(p.Detail, `"`+string(tt.missing)+`"`) {
				t.Errorf("got detail %q, want it to name the %q right", p.Detail, tt.missing)
			}
		})
	}
}

func TestDeleteKeyStopsItAtOnce(t *testing.T) {
	tests := []struct {
		name string
		// self makes the key revoke itself.
		self bool
	}{
		{name: "by another key"},
		{name: "by itself", self: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			k := createKey(t, env.key, shared.RightRead, shared.RightManage)
			// A first use puts the key in the server's cache of checked keys.
			wantStatus(t, call(t, http.MethodGet, "/api/v1/connections", k.Key, nil), http.StatusOK)

			by := env.key
			if tt.self {
				by = k.Key
			}
			r := call(t, http.MethodDelete, "/api/v1/keys/"+k.ID, by, nil)
			wantStatus(t, r, http.StatusNoContent)

			r = call(t, http.MethodGet, "/api/v1/connections", k.Key, nil)
			wantProblem(t, r, http.StatusUnauthorized, shared.CodeUnauthorized)
			keys, _ := listKeys(t, env.key)
			if slices.ContainsFunc(keys, func(got shared.APIKey) bool { return got.ID == k.ID }) {
				t.Errorf("got key %s in the list after deleting it", k.ID)
			}
		})
	}
}

func TestDeleteKeyOfAnotherOwner(t *testing.T) {
	k := createKey(t, env.key, shared.RightRead)
	tests := []struct {
		name, key, id string
	}{
		{name: "another owner's key", key: env.otherKey, id: k.ID},
		{name: "an unknown id", key: env.key, id: "000000000000000000000000"},
		{name: "a malformed id", key: env.key, id: "nope"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := call(t, http.MethodDelete, "/api/v1/keys/"+tt.id, tt.key, nil)
			wantProblem(t, r, http.StatusNotFound, shared.CodeNotFound)
		})
	}

	wantStatus(t, call(t, http.MethodGet, "/api/v1/connections", k.Key, nil), http.StatusOK)
	others, _ := listKeys(t, env.otherKey)
	for _, got := range others {
		if got.ID == k.ID {
			t.Errorf("got another owner's key %s in the list", k.ID)
		}
	}
}

func TestCreateKeyBadInput(t *testing.T) {
	tests := []struct {
		name   string
		body   any
		status int
		code   shared.Code
		field  string
	}{
		{"empty name", obj{"name": "", "rights": []string{"read"}}, 422,
			shared.CodeValidation, "name"},
		{"blank name", obj{"name": "   ", "rights": []string{"read"}}, 422,
			shared.CodeValidation, "name"},
		{"long name", obj{"name": strings.Repeat("k", 101), "rights": []string{"read"}}, 422,
			shared.CodeValidation, "name"},
		{"long name of wide letters", obj{"name": strings.Repeat("é", 101), "rights": []string{"read"}},
			422, shared.CodeValidation, "name"},
		{"control character in name", obj{"name": "a\nb", "rights": []string{"read"}}, 422,
			shared.CodeValidation, "name"},
		{"no rights", obj{"name": "k"}, 422, shared.CodeValidation, "rights"},
		{"empty rights", obj{"name": "k", "rights": []string{}}, 422,
			shared.CodeValidation, "rights"},
		{"unknown right", obj{"name": "k", "rights": []string{"read", "admin"}}, 422,
			shared.CodeValidation, "rights[1]"},
		{"repeated right", obj{"name": "k", "rights": []string{"use", "use"}}, 422,
			shared.CodeValidation, "rights[1]"},
		{"rights not a list", obj{"name": "k", "rights": "read"}, 422,
			shared.CodeValidation, "rights"},
		{"unknown field", obj{"name": "k", "rights": []string{"read"}, "owner_id": "x"}, 400,
			shared.CodeUnknownField, ""},
		{"not JSON", raw(`{"name":`), 400, shared.CodeInvalidJSON, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before, _ := listKeys(t, env.key)
			r := call(t, http.MethodPost, "/api/v1/keys", env.key, tt.body)
			p := wantProblem(t, r, tt.status, tt.code)
			if tt.field != "" && !hasFieldError(p, tt.field) {
				t.Errorf("got errors %v, want one about %s", p.Errors, tt.field)
			}
			if after, _ := listKeys(t, env.key); len(after) != len(before) {
				t.Errorf("got %d keys after a refused request, want %d", len(after), len(before))
			}
		})
	}
}
