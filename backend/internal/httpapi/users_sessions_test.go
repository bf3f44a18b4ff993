package httpapi_test

import (
	"net/http"
	"testing"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/plugboard/plugboard/shared"
)

// wantSessionEnded checks that a session cookie no longer works.
func wantSessionEnded(t *testing.T, cookie *http.Cookie) {
	t.Helper()
	r := asCookie(t, http.MethodGet, "/api/v1/session", cookie, "", nil)
	wantProblem(t, r, http.StatusUnauthorized, shared.CodeUnauthorized)
}

// wantSessionWorks checks that a session cookie still works.
func wantSessionWorks(t *testing.T, cookie *http.Cookie) {
	t.Helper()
	wantStatus(t, asCookie(t, http.MethodGet, "/api/v1/session", cookie, "", nil), http.StatusOK)
}

func TestDisablingEndsAccess(t *testing.T) {
	m := addUser(t, shared.RoleMember)
	cookie, s := passwordSession(t, m.Username, m.password)
	r := asCookie(t, http.MethodPost, "/api/v1/keys", cookie, s.CSRFToken,
		obj{"name": "laptop", "rights": []string{"read"}})
	wantStatus(t, r, http.StatusCreated)
	key := decodeAs[shared.NewAPIKey](t, r).Key
	// A checked key is cached; disabling must reach past the cache.
	wantStatus(t, call(t, http.MethodGet, "/api/v1/connections", key, nil), http.StatusOK)

	r = patchUser(t, m.ID, obj{"disabled": true})
	wantStatus(t, r, http.StatusOK)
	if u := decodeAs[shared.User](t, r); !u.Disabled {
		t.Errorf("got %+v, want the user disabled", u)
	}
	wantSessionEnded(t, cookie)
	wantProblem(t, call(t, http.MethodGet, "/api/v1/connections", key, nil),
		http.StatusUnauthorized, shared.CodeUnauthorized)
	for _, body := range []obj{{"username": m.Username, "password": m.password}, {"api_key": key}} {
		r := call(t, http.MethodPost, "/api/v1/session", "", body)
		wantProblem(t, r, http.StatusUnauthorized, shared.CodeUnauthorized)
	}

	wantStatus(t, patchUser(t, m.ID, obj{"disabled": false}), http.StatusOK)
	wantStatus(t, call(t, http.MethodGet, "/api/v1/connections", key, nil), http.StatusOK)
	wantSessionEnded(t, cookie)
	passwordSession(t, m.Username, m.password)

	changed := auditOf(t, shared.AuditUserChanged, bson.D{{Key: "target_id", Value: m.ID}})
	if len(changed) != 2 || changed[0]["detail"] != "disabled" || changed[1]["detail"] != "enabled" {
		t.Errorf("got entries %v, want disabled then enabled", changed)
	}
}

func TestPasswordResetEndsSessions(t *testing.T) {
	m := addUser(t, shared.RoleMember)
	cookie, _ := passwordSession(t, m.Username, m.password)
	fresh := "a brand new password"

	wantStatus(t, patchUser(t, m.ID, obj{"password": fresh}), http.StatusOK)
	wantSessionEnded(t, cookie)
	r := call(t, http.MethodPost, "/api/v1/session", "", obj{"username": m.Username, "password": m.password})
	wantProblem(t, r, http.StatusUnauthorized, shared.CodeUnauthorized)
	passwordSession(t, m.Username, fresh)

	changed := auditOf(t, shared.AuditUserChanged, bson.D{{Key: "target_id", Value: m.ID}})
	if len(changed) != 1 || changed[0]["detail"] != "password reset" {
		t.Errorf("got entries %v, want one saying password reset", changed)
	}
}

func TestSignOutEverywhere(t *testing.T) {
	m := addUser(t, shared.RoleMember)
	first, s := passwordSession(t, m.Username, m.password)
	second, _ := passwordSession(t, m.Username, m.password)
	bystander := addUser(t, shared.RoleMember)
	theirs, _ := passwordSession(t, bystander.Username, bystander.password)

	r := asCookie(t, http.MethodDelete, "/api/v1/sessions", first, "", nil)
	wantProblem(t, r, http.StatusForbidden, shared.CodeForbidden)
	wantSessionWorks(t, first)

	r = asCookie(t, http.MethodDelete, "/api/v1/sessions", first, s.CSRFToken, nil)
	wantStatus(t, r, http.StatusNoContent)
	wantSessionEnded(t, first)
	wantSessionEnded(t, second)
	wantSessionWorks(t, theirs)
	if got := auditOf(t, shared.AuditSessionsEnded, bson.D{{Key: "actor_id", Value: m.ID}}); len(got) != 1 {
		t.Errorf("got %d sessions_ended entries, want 1", len(got))
	}
}

func TestSignOutThisSession(t *testing.T) {
	m := addUser(t, shared.RoleMember)
	this, s := passwordSession(t, m.Username, m.password)
	other, _ := passwordSession(t, m.Username, m.password)

	wantStatus(t, asCookie(t, http.MethodDelete, "/api/v1/session", this, s.CSRFToken, nil), http.StatusNoContent)
	wantSessionEnded(t, this)
	wantSessionWorks(t, other)
	if got := auditOf(t, shared.AuditSignOut, bson.D{{Key: "actor_id", Value: m.ID}}); len(got) != 1 {
		t.Errorf("got %d sign_out entries, want 1", len(got))
	}
}

func TestChangeOwnPassword(t *testing.T) {
	m := addUser(t, shared.RoleMember)
	this, s := passwordSession(t, m.Username, m.password)
	other, _ := passwordSession(t, m.Username, m.password)
	fresh := "my own new password"
	change := func(current string) reply {
		return asCookie(t, http.MethodPut, "/api/v1/account/password", this, s.CSRFToken,
			obj{"current_password": current, "new_password": fresh})
	}

	for _, current := range []string{"", "not my password"} {
		p := wantProblem(t, change(current), http.StatusUnprocessableEntity, shared.CodeValidation)
		if !hasFieldError(p, "current_password") {
			t.Errorf("got errors %v for current password %q, want one about current_password", p.Errors, current)
		}
	}
	wantSessionWorks(t, other)

	wantStatus(t, change(m.password), http.StatusNoContent)
	wantSessionWorks(t, this)
	wantSessionEnded(t, other)
	passwordSession(t, m.Username, fresh)
	done := bson.D{{Key: "target_id", Value: m.ID}, {Key: "outcome", Value: "ok"}}
	if got := auditOf(t, shared.AuditPasswordChanged, done); len(got) != 1 {
		t.Errorf("got %d password_changed entries, want 1", len(got))
	}
}

func TestFirstPasswordOfKeyUser(t *testing.T) {
	_, key := newUser(t, "keyholder")
	u := whoIs(t, key)
	if u.HasPassword {
		t.Fatalf("got has_password for a user made with a key, want none")
	}
	first := "the first password"
	r := call(t, http.MethodPut, "/api/v1/account/password", key, obj{"new_password": first})
	wantStatus(t, r, http.StatusNoContent)
	if !whoIs(t, key).HasPassword {
		t.Errorf("got no password after setting one")
	}
	passwordSession(t, u.Username, first)

	r = call(t, http.MethodPut, "/api/v1/account/password", key, obj{"new_password": "and yet another one"})
	p := wantProblem(t, r, http.StatusUnprocessableEntity, shared.CodeValidation)
	if !hasFieldError(p, "current_password") {
		t.Errorf("got errors %v, want one about current_password now that there is a password", p.Errors)
	}
}
