package httpapi_test

import (
	"net/http"
	"strings"
	"testing"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/plugboard/plugboard/shared"
)

func TestLastAdmin(t *testing.T) {
	soleActiveAdmin(t)
	self := "/api/v1/users/" + env.ownerID

	t.Run("demoting the last active admin", func(t *testing.T) {
		r := patchUser(t, env.ownerID, obj{"role": "member"})
		wantProblem(t, r, http.StatusConflict, shared.CodeLastAdmin)
	})
	t.Run("disabling yourself", func(t *testing.T) {
		p := wantProblem(t, patchUser(t, env.ownerID, obj{"disabled": true}),
			http.StatusUnprocessableEntity, shared.CodeValidation)
		if !hasFieldError(p, "disabled") {
			t.Errorf("got errors %v, want one about disabled", p.Errors)
		}
	})
	t.Run("deleting yourself", func(t *testing.T) {
		r := call(t, http.MethodDelete, self, env.key, nil)
		wantProblem(t, r, http.StatusUnprocessableEntity, shared.CodeValidation)
	})
	if u := getUser(t, env.ownerID); u.Role != shared.RoleAdmin || u.Disabled {
		t.Fatalf("got %+v, want the first admin still an active admin", u)
	}

	t.Run("with a second admin", func(t *testing.T) {
		second := addUser(t, shared.RoleAdmin)
		cookie, s := passwordSession(t, second.Username, second.password)
		wantStatus(t, call(t, http.MethodGet, "/api/v1/users", "", nil), http.StatusUnauthorized)
		wantStatus(t, asCookie(t, http.MethodGet, "/api/v1/users", cookie, "", nil), http.StatusOK)

		// The second admin may step down while the first remains.
		r := asCookie(t, http.MethodPatch, "/api/v1/users/"+second.ID, cookie, s.CSRFToken, obj{"role": "member"})
		wantStatus(t, r, http.StatusOK)
		r = asCookie(t, http.MethodGet, "/api/v1/users", cookie, "", nil)
		wantProblem(t, r, http.StatusForbidden, shared.CodeForbidden)

		wantProblem(t, patchUser(t, env.ownerID, obj{"role": "member"}), http.StatusConflict, shared.CodeLastAdmin)
	})
}

func TestDeleteUser(t *testing.T) {
	id, key := newUser(t, "leaver")
	svc := createService(t, key, basicService(unique("leaver-")))
	conn := createConnection(t, key, obj{"name": "Mine", "service_id": svc.ID, "config": obj{"subdomain": "a"}})
	wantStatus(t, call(t, http.MethodPatch, "/api/v1/services/bitbucket", key,
		obj{"client_id": "leavers-app", "client_secret": "leavers-secret"}), http.StatusOK)
	path := "/api/v1/users/" + id

	r := call(t, http.MethodDelete, path, env.key, nil)
	p := wantProblem(t, r, http.StatusConflict, shared.CodeUserHasRecords)
	if !strings.Contains(p.Detail, "disable") {
		t.Errorf("got detail %q, want it to suggest disabling", p.Detail)
	}
	wantStatus(t, call(t, http.MethodDelete, "/api/v1/connections/"+conn.ID, key, nil), http.StatusNoContent)
	wantProblem(t, call(t, http.MethodDelete, path, env.key, nil), http.StatusConflict, shared.CodeUserHasRecords)
	wantStatus(t, call(t, http.MethodDelete, "/api/v1/services/"+svc.ID, key, nil), http.StatusNoContent)

	wantStatus(t, call(t, http.MethodDelete, path, env.key, nil), http.StatusNoContent)
	wantProblem(t, call(t, http.MethodGet, path, env.key, nil), http.StatusNotFound, shared.CodeNotFound)
	wantProblem(t, call(t, http.MethodGet, "/api/v1/session", key, nil), http.StatusUnauthorized, shared.CodeUnauthorized)
	for _, col := range []string{"api_keys", "sessions", "login_tokens", "services"} {
		if got := dbDocs(t, col, bson.D{{Key: "owner_id", Value: id}}); len(got) > 0 {
			t.Errorf("got %d %s of the deleted user, want none", len(got), col)
		}
	}
	if got := auditOf(t, shared.AuditUserDeleted, bson.D{{Key: "target_id", Value: id}}); len(got) != 1 {
		t.Errorf("got %d user_deleted entries, want 1", len(got))
	}
}

func TestBadUserBodies(t *testing.T) {
	m := addUser(t, shared.RoleMember)
	long := strings.Repeat("x", shared.MaxPasswordBytes+1)
	tests := []struct {
		name         string
		method, path string
		body         any
		status       int
		code         shared.Code
		field        string
	}{
		{"create: unknown field", "POST", "/api/v1/users",
			obj{"username": "newbie", "role": "member", "password": "long enough pw", "admin": true},
			400, shared.CodeUnknownField, ""},
		{"create: short password", "POST", "/api/v1/users",
			obj{"username": "newbie", "role": "member", "password": "short"}, 422, shared.CodeValidation, "password"},
		{"create: long password", "POST", "/api/v1/users",
			obj{"username": "newbie", "role": "member", "password": long}, 422, shared.CodeValidation, "password"},
		{"create: no password", "POST", "/api/v1/users",
			obj{"username": "newbie", "role": "member"}, 422, shared.CodeValidation, "password"},
		{"create: upper-case username", "POST", "/api/v1/users",
			obj{"username": "Newbie", "role": "member", "password": "long enough pw"}, 422, shared.CodeValidation, "username"},
		{"create: one-letter username", "POST", "/api/v1/users",
			obj{"username": "n", "role": "member", "password": "long enough pw"}, 422, shared.CodeValidation, "username"},
		{"create: username with a space", "POST", "/api/v1/users",
			obj{"username": "new bie", "role": "member", "password": "long enough pw"}, 422, shared.CodeValidation, "username"},
		{"create: unknown role", "POST", "/api/v1/users",
			obj{"username": "newbie", "role": "owner", "password": "long enough pw"}, 422, shared.CodeValidation, "role"},
		{"create: number as username", "POST", "/api/v1/users",
			obj{"username": 7, "role": "member", "password": "long enough pw"}, 422, shared.CodeValidation, "username"},
		{"create: not an object", "POST", "/api/v1/users", raw(`["newbie"]`), 400, shared.CodeInvalidJSON, ""},
		{"change: nothing", "PATCH", "/api/v1/users/" + m.ID, obj{}, 422, shared.CodeValidation, ""},
		{"change: username", "PATCH", "/api/v1/users/" + m.ID, obj{"username": "renamed"},
			400, shared.CodeUnknownField, ""},
		{"change: unknown role", "PATCH", "/api/v1/users/" + m.ID, obj{"role": "root"}, 422, shared.CodeValidation, "role"},
		{"change: disabled as text", "PATCH", "/api/v1/users/" + m.ID, obj{"disabled": "yes"},
			422, shared.CodeValidation, "disabled"},
		{"change: short password", "PATCH", "/api/v1/users/" + m.ID, obj{"password": "short"},
			422, shared.CodeValidation, "password"},
		{"password: short", "PUT", "/api/v1/account/password", obj{"new_password": "short"},
			422, shared.CodeValidation, "new_password"},
		{"password: long", "PUT", "/api/v1/account/password", obj{"new_password": long},
			422, shared.CodeValidation, "new_password"},
		{"password: unknown field", "PUT", "/api/v1/account/password", obj{"password": "long enough pw"},
			400, shared.CodeUnknownField, ""},
		{"sign in: username alone", "POST", "/api/v1/session", obj{"username": m.Username},
			422, shared.CodeValidation, "password"},
		{"sign in: password alone", "POST", "/api/v1/session", obj{"password": m.password},
			422, shared.CodeValidation, "username"},
		{"sign in: key and password", "POST", "/api/v1/session",
			obj{"api_key": env.key, "username": m.Username, "password": m.password}, 422, shared.CodeValidation, ""},
		{"sign in: number as password", "POST", "/api/v1/session", obj{"username": m.Username, "password": 12},
			422, shared.CodeValidation, "password"},
		{"sign in: long password", "POST", "/api/v1/session", obj{"username": m.Username, "password": long},
			422, shared.CodeValidation, "password"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			key := env.key
			if tt.path == "/api/v1/session" {
				key = ""
			}
			r := call(t, tt.method, tt.path, key, tt.body)
			p := wantProblem(t, r, tt.status, tt.code)
			if tt.field != "" && !hasFieldError(p, tt.field) {
				t.Errorf("got errors %v, want one about %s", p.Errors, tt.field)
			}
		})
	}
	if u := getUser(t, m.ID); u != m.User {
		t.Errorf("got %+v after bad changes, want %+v", u, m.User)
	}
	if got := len(dbDocs(t, "owners", bson.D{{Key: "username", Value: "newbie"}})); got != 0 {
		t.Errorf("got %d users named newbie, want none", got)
	}
}
