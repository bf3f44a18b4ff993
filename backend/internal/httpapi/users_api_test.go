package httpapi_test

import (
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/plugboard/plugboard/shared"
)

func TestPasswordSignIn(t *testing.T) {
	m := addUser(t, shared.RoleMember)

	cookie, s := passwordSession(t, m.Username, m.password)
	if s.User.ID != m.ID || s.User.Role != shared.RoleMember || s.User.LastSignInAt.IsZero() {
		t.Errorf("got user %+v, want %s, a member, with a sign-in time", s.User, m.ID)
	}
	r := asCookie(t, http.MethodGet, "/api/v1/session", cookie, "", nil)
	wantStatus(t, r, http.StatusOK)
	if got := decodeAs[sessionReply](t, r); got.User.Username != m.Username || got.CSRFToken != s.CSRFToken {
		t.Errorf("got %+v, want user %s and the sign-in's CSRF token", got, m.Username)
	}
	if u := getUser(t, m.ID); u.LastSignInAt.IsZero() {
		t.Errorf("got no last_sign_in_at after signing in, want one")
	}
	byPassword := bson.D{{Key: "actor_id", Value: m.ID}, {Key: "via", Value: "password"}}
	if got := auditOf(t, shared.AuditSignIn, byPassword); len(got) != 1 {
		t.Errorf("got %d sign_in entries by password for %s, want 1", len(got), m.ID)
	}
}

func TestPasswordSignInRefused(t *testing.T) {
	m := addUser(t, shared.RoleMember)
	other := whoIs(t, env.otherKey).Username
	// recorded is the name the trail gives the actor: a username that
	// matches no user may be a password typed in the wrong field, so it
	// is not kept.
	attempts := []struct{ name, username, password, recorded string }{
		{"wrong password", m.Username, "not-the-password", m.Username},
		{"unknown user", unique("nobody-"), m.password, "unknown user"},
		{"user without a password", other, "any-password-at-all", other},
		{"username in upper case", strings.ToUpper(m.Username), m.password, "unknown user"},
	}
	var details []string
	for _, a := range attempts {
		t.Run(a.name, func(t *testing.T) {
			byName := bson.D{{Key: "actor_name", Value: a.recorded}}
			before := len(auditOf(t, shared.AuditSignInFailed, byName))
			start := time.Now()
			r := call(t, http.MethodPost, "/api/v1/session", "", obj{"username": a.username, "password": a.password})
			// Every refusal runs a bcrypt comparison (about a quarter of a
			// second), so its timing does not tell which usernames exist.
			if took := time.Since(start); took < 50*time.Millisecond {
				t.Errorf("got an answer after %v, want one after a bcrypt comparison", took)
			}
			p := wantProblem(t, r, http.StatusUnauthorized, shared.CodeUnauthorized)
			details = append(details, p.Detail)
			if len(r.header.Values("Set-Cookie")) > 0 {
				t.Errorf("got Set-Cookie %q, want none", r.header.Values("Set-Cookie"))
			}
			failed := auditOf(t, shared.AuditSignInFailed, byName)
			if len(failed) <= before || failed[0]["via"] != "password" || failed[0]["ip"] == "" {
				t.Errorf("got entries %v, want another sign_in_failed for %q via password with an address", failed, a.recorded)
			}
			if a.recorded != a.username {
				if kept := auditOf(t, shared.AuditSignInFailed, bson.D{{Key: "actor_name", Value: a.username}}); len(kept) > 0 {
					t.Errorf("got entries %v, want the unknown username %q kept nowhere", kept, a.username)
				}
			}
			for _, e := range failed {
				for k, v := range e {
					if s, ok := v.(string); ok && strings.Contains(s, a.password) {
						t.Errorf("got the password tried in field %s of the trail", k)
					}
				}
			}
		})
	}
	for _, d := range details[1:] {
		if d != details[0] {
			t.Errorf("got details %q, want the same words for every refusal", details)
		}
	}
}

func TestPasswordSignInLimit(t *testing.T) {
	m := addUser(t, shared.RoleMember)
	wrong := obj{"username": m.Username, "password": "guess-number-one"}
	for i := 1; i <= 5; i++ {
		r := call(t, http.MethodPost, "/api/v1/session", "", wrong)
		wantProblem(t, r, http.StatusUnauthorized, shared.CodeUnauthorized)
	}

	for _, body := range []obj{wrong, {"username": m.Username, "password": m.password}} {
		r := call(t, http.MethodPost, "/api/v1/session", "", body)
		p := wantProblem(t, r, http.StatusTooManyRequests, shared.CodeRateLimited)
		secs, err := strconv.Atoi(r.header.Get("Retry-After"))
		if err != nil || secs < 1 || secs > 20 || p.RetryAfter != secs {
			t.Errorf("got Retry-After %q and retry_after %d, want the same 1 to 20 seconds",
				r.header.Get("Retry-After"), p.RetryAfter)
		}
	}

	// Another username from the same address is not held up.
	other := addUser(t, shared.RoleMember)
	passwordSession(t, other.Username, other.password)
}

func TestMembersAreNotAdmins(t *testing.T) {
	m := addUser(t, shared.RoleMember)
	cookie, s := passwordSession(t, m.Username, m.password)
	routes := []struct {
		method, path string
		body         any
	}{
		{http.MethodGet, "/api/v1/users", nil},
		{http.MethodPost, "/api/v1/users", obj{"username": unique("sneaky-"), "role": "admin", "password": "twelve chars!"}},
		{http.MethodGet, "/api/v1/users/" + m.ID, nil},
		{http.MethodPatch, "/api/v1/users/" + m.ID, obj{"role": "admin"}},
		{http.MethodDelete, "/api/v1/users/" + env.ownerID, nil},
		{http.MethodGet, "/api/v1/audit", nil},
	}
	for _, rt := range routes {
		t.Run(rt.method+" "+rt.path, func(t *testing.T) {
			r := call(t, rt.method, rt.path, env.otherKey, rt.body)
			p := wantProblem(t, r, http.StatusForbidden, shared.CodeForbidden)
			if rt.path != "/api/v1/audit" && !strings.Contains(p.Detail, "Only admins") {
				t.Errorf("got detail %q, want it to say only admins may", p.Detail)
			}
			r = asCookie(t, rt.method, rt.path, cookie, s.CSRFToken, rt.body)
			wantProblem(t, r, http.StatusForbidden, shared.CodeForbidden)
		})
	}
	if u := getUser(t, m.ID); u.Role != shared.RoleMember {
		t.Errorf("got role %s, want the member still a member", u.Role)
	}
}

func TestAdminManagesUsers(t *testing.T) {
	m := addUser(t, shared.RoleMember)

	t.Run("list, oldest first", func(t *testing.T) {
		users := listUsers(t)
		if len(users) < 3 || users[0].ID != env.ownerID || users[len(users)-1].ID != m.ID {
			t.Fatalf("got %d users from %s to %s, want the first admin first and %s last",
				len(users), users[0].ID, users[len(users)-1].ID, m.ID)
		}
		if users[0].Username != "admin" || users[0].Role != shared.RoleAdmin {
			t.Errorf("got first user %s (%s), want admin (admin)", users[0].Username, users[0].Role)
		}
	})
	t.Run("get", func(t *testing.T) {
		if u := getUser(t, m.ID); u != m.User {
			t.Errorf("got %+v, want %+v", u, m.User)
		}
		r := call(t, http.MethodGet, "/api/v1/users/0123456789abcdef01234567", env.key, nil)
		wantProblem(t, r, http.StatusNotFound, shared.CodeNotFound)
	})
	t.Run("rename and promote", func(t *testing.T) {
		r := patchUser(t, m.ID, obj{"name": "Mia Member", "role": "admin"})
		wantStatus(t, r, http.StatusOK)
		u := decodeAs[shared.User](t, r)
		if u.Name != "Mia Member" || u.Role != shared.RoleAdmin || u.Username != m.Username {
			t.Errorf("got %+v, want Mia Member, an admin, same username", u)
		}
		changed := auditOf(t, shared.AuditUserChanged, bson.D{{Key: "target_id", Value: m.ID}})
		if len(changed) != 1 || !strings.Contains(changed[0]["detail"].(string), "role: member → admin") ||
			changed[0]["actor_id"] != env.ownerID {
			t.Errorf("got entries %v, want one by the first admin saying role: member → admin", changed)
		}
	})
	t.Run("demote", func(t *testing.T) {
		wantStatus(t, patchUser(t, m.ID, obj{"role": "member", "name": ""}), http.StatusOK)
		if u := getUser(t, m.ID); u.Role != shared.RoleMember || u.Name != m.Username {
			t.Errorf("got %+v, want a member shown by username", u)
		}
	})
	t.Run("duplicate username", func(t *testing.T) {
		r := call(t, http.MethodPost, "/api/v1/users", env.key,
			obj{"username": m.Username, "role": "member", "password": "another long one"})
		wantProblem(t, r, http.StatusConflict, shared.CodeDuplicateUsername)
		r = call(t, http.MethodPost, "/api/v1/users", env.key,
			obj{"username": "admin", "role": "admin", "password": "another long one"})
		wantProblem(t, r, http.StatusConflict, shared.CodeDuplicateUsername)
	})
	t.Run("unknown user", func(t *testing.T) {
		none := "/api/v1/users/0123456789abcdef01234567"
		wantProblem(t, call(t, http.MethodPatch, none, env.key, obj{"name": "x"}), http.StatusNotFound, shared.CodeNotFound)
		wantProblem(t, call(t, http.MethodDelete, none, env.key, nil), http.StatusNotFound, shared.CodeNotFound)
	})
}

func TestPasswordHashesStayInside(t *testing.T) {
	m := addUser(t, shared.RoleMember)
	docs := dbDocs(t, "owners", bson.D{{Key: "_id", Value: m.ID}})
	if len(docs) != 1 {
		t.Fatalf("got %d owner documents for %s, want 1", len(docs), m.ID)
	}
	h, _ := docs[0]["password_hash"].(string)
	if !strings.HasPrefix(h, "$2a$12$") || len(h) != 60 {
		t.Errorf("got stored hash %q, want a cost-12 bcrypt hash", h)
	}
	for k, v := range docs[0] {
		if s, ok := v.(string); ok && strings.Contains(s, m.password) {
			t.Errorf("got the password in field %s of the stored user", k)
		}
	}
}
