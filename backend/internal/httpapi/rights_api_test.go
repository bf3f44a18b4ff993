package httpapi_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/plugboard/plugboard/shared"
)

// newAdminWithoutPassword adds a user who signs in only with their key,
// makes them an admin, and returns their id and key, which holds every
// right.
func newAdminWithoutPassword(t *testing.T, name string) (id, key string) {
	t.Helper()
	id, key = newUser(t, name)
	wantStatus(t, patchUser(t, id, obj{"role": "admin"}), http.StatusOK)
	return id, key
}

// wantForbidden checks that r is a 403 forbidden whose words hold want.
func wantForbidden(t *testing.T, r reply, want string) {
	t.Helper()
	p := wantProblem(t, r, http.StatusForbidden, shared.CodeForbidden)
	if !strings.Contains(p.Detail, want) {
		t.Errorf("%s %s: got detail %q, want it to say %q", r.method, r.path, p.Detail, want)
	}
}

func TestKeySessionKeepsKeyRights(t *testing.T) {
	id, full := newAdminWithoutPassword(t, "key-session-")
	f := newFixture(t, full)
	useOnly := createKey(t, full, shared.RightUse)
	cookie, s := signIn(t, obj{"api_key": useOnly.Key})
	as := func(method, path string, body any) reply {
		return asCookie(t, method, path, cookie, s.CSRFToken, body)
	}

	refusals := []struct {
		name, method, path string
		body               any
		// says is part of the refusal's words.
		says string
	}{
		{"create a key with every right", http.MethodPost, "/api/v1/keys",
			obj{"name": unique("escalated "), "rights": shared.AllRights}, `"manage"`},
		{"create an admin", http.MethodPost, "/api/v1/users", obj{"username": unique("escalated-"),
			"role": "admin", "password": "a long password 1"}, "every right"},
		{"set a first password", http.MethodPut, "/api/v1/account/password",
			obj{"new_password": "a long new password"}, "every right"},
		{"list connections", http.MethodGet, "/api/v1/connections", nil, `"read"`},
		{"create a service", http.MethodPost, "/api/v1/services", basicService(unique("esc-")), `"manage"`},
	}
	for _, tt := range refusals {
		t.Run(tt.name, func(t *testing.T) {
			wantForbidden(t, as(tt.method, tt.path, tt.body), tt.says)
		})
	}
	if u := whoIs(t, full); u.HasPassword {
		t.Errorf("got a password for %s after the refusals, want none", id)
	}

	t.Run("what the key may do, its session may", func(t *testing.T) {
		// The use right reaches the token route, which then finds that a
		// Basic Auth connection has no access token.
		r := as(http.MethodGet, "/api/v1/connections/"+f.conn.ID+"/token", nil)
		wantProblem(t, r, http.StatusConflict, shared.CodeWrongAuthType)
	})

	t.Run("revoking the key ends its session", func(t *testing.T) {
		fromFull, _ := signIn(t, obj{"api_key": full})
		wantStatus(t, call(t, http.MethodDelete, "/api/v1/keys/"+useOnly.ID, full, nil), http.StatusNoContent)
		wantSessionEnded(t, cookie)
		wantSessionWorks(t, fromFull)
	})
}

func TestSessionOfFullKeyHoldsEveryRight(t *testing.T) {
	_, full := newAdminWithoutPassword(t, "full-session-")
	cookie, s := signIn(t, obj{"api_key": full})
	r := asCookie(t, http.MethodPost, "/api/v1/keys", cookie, s.CSRFToken,
		obj{"name": unique("from a full session "), "rights": shared.AllRights})
	wantStatus(t, r, http.StatusCreated)
	r = asCookie(t, http.MethodPut, "/api/v1/account/password", cookie, s.CSRFToken,
		obj{"new_password": "a password set in a session"})
	wantStatus(t, r, http.StatusNoContent)
}

func TestNewKeysGetOnlyTheirCreatorsRights(t *testing.T) {
	manageOnly := createKey(t, env.key, shared.RightManage).Key
	readManage := createKey(t, env.key, shared.RightRead, shared.RightManage).Key
	tests := []struct {
		name   string
		key    string
		rights []shared.Right
		// lacks lists the rights the refusal must name; none when the key
		// is created.
		lacks []string
	}{
		{"manage key asks for every right", manageOnly, shared.AllRights, []string{`"read"`, `"use"`}},
		{"manage key asks for use", manageOnly, []shared.Right{shared.RightUse}, []string{`"use"`}},
		{"read and manage key asks for every right", readManage, shared.AllRights, []string{`"use"`}},
		{"manage key asks for manage", manageOnly, []shared.Right{shared.RightManage}, nil},
		{"read and manage key asks for read", readManage, []shared.Right{shared.RightRead}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before, _ := listKeys(t, env.key)
			r := call(t, http.MethodPost, "/api/v1/keys", tt.key, obj{"name": unique("more "), "rights": tt.rights})
			after, _ := listKeys(t, env.key)
			if tt.lacks == nil {
				wantStatus(t, r, http.StatusCreated)
				return
			}
			for _, right := range tt.lacks {
				wantForbidden(t, r, right)
			}
			if len(after) != len(before) {
				t.Errorf("got %d keys after a refusal, want %d", len(after), len(before))
			}
		})
	}
}

func TestPasswordsAndUsersNeedEveryRight(t *testing.T) {
	id, full := newAdminWithoutPassword(t, "partial-")
	victim := addUser(t, shared.RoleMember)
	keys := []struct {
		name string
		key  string
	}{
		{"manage key", createKey(t, full, shared.RightManage).Key},
		{"read and manage key", createKey(t, full, shared.RightRead, shared.RightManage).Key},
		{"manage and use key", createKey(t, full, shared.RightManage, shared.RightUse).Key},
	}
	for _, k := range keys {
		t.Run(k.name, func(t *testing.T) {
			routes := []struct {
				name, method, path string
				body               any
			}{
				{"set own password", http.MethodPut, "/api/v1/account/password",
					obj{"new_password": "a password set by a key"}},
				{"create an admin", http.MethodPost, "/api/v1/users", obj{"username": unique("made-"),
					"role": "admin", "password": "a long password 1"}},
				{"reset a password", http.MethodPatch, "/api/v1/users/" + victim.ID,
					obj{"password": "a password set by a key"}},
				{"make a member admin", http.MethodPatch, "/api/v1/users/" + victim.ID, obj{"role": "admin"}},
				{"delete a user", http.MethodDelete, "/api/v1/users/" + victim.ID, nil},
			}
			for _, rt := range routes {
				r := call(t, rt.method, rt.path, k.key, rt.body)
				wantForbidden(t, r, "every right")
				if !strings.Contains(string(r.body), "signed in") {
					t.Errorf("%s: got %s, want words that a signed-in browser may", rt.name, r.body)
				}
			}
		})
	}

	if whoIs(t, full).HasPassword {
		t.Errorf("got a password for %s, want none", id)
	}
	if u := getUser(t, victim.ID); u.Role != shared.RoleMember {
		t.Errorf("got %+v, want the member unchanged", u)
	}
	passwordSession(t, victim.Username, victim.password)
	wantStatus(t, call(t, http.MethodPut, "/api/v1/account/password", full,
		obj{"new_password": "set with every right"}), http.StatusNoContent)
}

func TestDisabledUserAnswersLikeWrongPassword(t *testing.T) {
	m := addUser(t, shared.RoleMember)
	wantStatus(t, patchUser(t, m.ID, obj{"disabled": true}), http.StatusOK)

	right := call(t, http.MethodPost, "/api/v1/session", "", obj{"username": m.Username, "password": m.password})
	wrong := call(t, http.MethodPost, "/api/v1/session", "", obj{"username": m.Username, "password": "not it at all"})
	pr := wantProblem(t, right, http.StatusUnauthorized, shared.CodeUnauthorized)
	pw := wantProblem(t, wrong, http.StatusUnauthorized, shared.CodeUnauthorized)
	if pr.Detail != pw.Detail || pr.Title != pw.Title || pr.Type != pw.Type {
		t.Errorf("got %q with the right password of a disabled user and %q with a wrong one, want the same",
			pr.Detail, pw.Detail)
	}

	failed := auditOf(t, shared.AuditSignInFailed, bson.D{
		{Key: "actor_name", Value: m.Username}, {Key: "detail", Value: "the user is disabled"}})
	if len(failed) != 1 {
		t.Errorf("got %d sign_in_failed entries saying the user is disabled, want 1", len(failed))
	}
}

func TestDemotingAdminEndsTheirShares(t *testing.T) {
	sharerID, sharerKey := newAdminWithoutPassword(t, "sharer-")
	peerID, peerKey := newUser(t, "peer-")
	f := newFixture(t, sharerKey)
	ref := "/api/v1/connections/" + f.conn.ID
	wantStatus(t, call(t, http.MethodPut, ref+"/shares/"+peerID, sharerKey, nil), http.StatusOK)
	if _, ok := findConnection(t, peerKey, "", f.conn.ID); !ok {
		t.Fatalf("the peer does not see the shared connection, want it to (the check must see it)")
	}

	wantStatus(t, patchUser(t, sharerID, obj{"role": "member"}), http.StatusOK)
	if _, ok := findConnection(t, peerKey, "", f.conn.ID); ok {
		t.Errorf("the peer still sees the connection of a demoted admin")
	}
	wantProblem(t, call(t, http.MethodGet, ref, peerKey, nil), http.StatusNotFound, shared.CodeNotFound)
	if n := storedShares(t, f.conn.ID); n != 0 {
		t.Errorf("got %d stored shares, want none", n)
	}
	changed := auditOf(t, shared.AuditUserChanged, bson.D{{Key: "target_id", Value: sharerID}})
	last := changed[len(changed)-1]
	if d, _ := last["detail"].(string); !strings.Contains(d, "shares of their connections ended") {
		t.Errorf("got detail %q, want it to say the shares ended", d)
	}

	t.Run("an owner who is no admin may still stop sharing", func(t *testing.T) {
		// As a share stored before demotions ended them.
		insertShare(t, f.conn.ID, sharerID, peerID)
		wantStatus(t, call(t, http.MethodDelete, ref+"/shares/"+peerID, sharerKey, nil), http.StatusNoContent)
		wantProblem(t, call(t, http.MethodDelete, ref+"/shares/"+peerID, sharerKey, nil),
			http.StatusNotFound, shared.CodeNotFound)
		wantProblem(t, call(t, http.MethodPut, ref+"/shares/"+peerID, sharerKey, nil),
			http.StatusForbidden, shared.CodeForbidden)
	})
}

// insertShare stores a share of an owner's connection with a user in the
// database itself.
func insertShare(t *testing.T, connID, ownerID, userID string) {
	t.Helper()
	ctx := context.Background()
	client, err := mongo.Connect(options.Client().ApplyURI(env.srv.MongoURI()))
	if err != nil {
		t.Fatalf("connect to the database: %v", err)
	}
	defer client.Disconnect(ctx)
	_, err = client.Database("plugboard").Collection("shares").InsertOne(ctx, bson.D{
		{Key: "_id", Value: connID + "/" + userID}, {Key: "connection_id", Value: connID},
		{Key: "owner_id", Value: ownerID}, {Key: "user_id", Value: userID},
		{Key: "created_at", Value: time.Now().UTC()}, {Key: "created_by", Value: ownerID},
	})
	if err != nil {
		t.Fatalf("insert a share: %v", err)
	}
}

// TestRedirectingSecretsNeedsEveryRight checks that a key without every
// right cannot change where a connection's stored credentials are sent:
// pointing a service's addresses or verification request elsewhere, or
// a connection's settings (placeholders in those addresses), and then
// verifying or revoking, would hand the secrets to another host.
func TestRedirectingSecretsNeedsEveryRight(t *testing.T) {
	f := newFixture(t, env.key)
	manage := createKey(t, env.key, shared.RightRead, shared.RightManage).Key
	svc := "/api/v1/services/" + f.svc.ID
	for _, body := range []obj{
		{"api_base_url": "https://attacker.example/x"},
		{"verify_request": obj{"method": "GET", "url": "https://attacker.example/steal"}},
		{"revocation_url": "https://attacker.example/revoke"},
		{"token_url": "https://attacker.example/token"},
		{"headers": obj{"X-Steal": "1"}},
	} {
		wantForbidden(t, call(t, http.MethodPatch, svc, manage, body), "every right")
	}
	wantForbidden(t, call(t, http.MethodPatch, "/api/v1/connections/"+f.conn.ID, manage,
		obj{"config": obj{"subdomain": "attacker"}}), "every right")

	// What cannot redirect anything stays open to a manage key.
	wantStatus(t, call(t, http.MethodPatch, svc, manage, obj{"name": "Renamed by a key"}), http.StatusOK)
	wantStatus(t, call(t, http.MethodPatch, "/api/v1/connections/"+f.conn.ID, manage,
		obj{"name": "Renamed too"}), http.StatusOK)
	// A key with every right may.
	wantStatus(t, call(t, http.MethodPatch, svc, env.key, obj{"api_base_url": "https://shop.example/api"}),
		http.StatusOK)
}

// TestOwnPasswordOnlyWithTheCurrentOne checks that an admin cannot reset
// their own password through the users route, which asks for no current
// password: a stolen session could otherwise lock the person out.
func TestOwnPasswordOnlyWithTheCurrentOne(t *testing.T) {
	r := patchUser(t, env.ownerID, obj{"password": "a new password for me"})
	p := wantProblem(t, r, http.StatusUnprocessableEntity, shared.CodeValidation)
	if !hasFieldError(p, "password") || !strings.Contains(p.Errors[0].Message, "account/password") {
		t.Errorf("got %+v, want an error on password pointing to /account/password", p.Errors)
	}
}
