package httpapi_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/plugboard/plugboard/shared"
)

// member is a user created through the API, with their password.
type member struct {
	shared.User
	password string
}

// addUser has the first admin create a user with a fresh username and
// password, and checks the answer.
func addUser(t *testing.T, role shared.Role) member {
	t.Helper()
	in := shared.UserInput{Username: unique("person-"), Role: role, Password: unique("correct horse ")}
	r := call(t, http.MethodPost, "/api/v1/users", env.key, in)
	wantStatus(t, r, http.StatusCreated)
	wantNoHash(t, r)
	u := decodeAs[shared.User](t, r)
	if got, want := r.header.Get("Location"), "/api/v1/users/"+u.ID; got != want {
		t.Errorf("got Location %q, want %q", got, want)
	}
	if u.Username != in.Username || u.Role != role || !u.HasPassword || u.Disabled ||
		u.CreatedAt.IsZero() || u.Name != in.Username {
		t.Errorf("got user %+v, want %s, %s, with a password, enabled, named as the username", u, in.Username, role)
	}
	return member{User: u, password: in.Password}
}

// whoIs returns the user an API key belongs to.
func whoIs(t *testing.T, key string) shared.User {
	t.Helper()
	r := call(t, http.MethodGet, "/api/v1/session", key, nil)
	wantStatus(t, r, http.StatusOK)
	wantNoHash(t, r)
	return decodeAs[sessionReply](t, r).User
}

// passwordSession signs in with a username and password.
func passwordSession(t *testing.T, username, password string) (*http.Cookie, sessionReply) {
	t.Helper()
	return signIn(t, obj{"username": username, "password": password})
}

// asCookie sends a request with a session cookie and, when csrf is set,
// its CSRF token.
func asCookie(t *testing.T, method, path string, cookie *http.Cookie, csrf string, body any) reply {
	t.Helper()
	rq := request{method: method, path: path, body: body, cookies: []*http.Cookie{cookie}}
	if csrf != "" {
		rq.header = map[string]string{"X-CSRF-Token": csrf}
	}
	r := send(t, rq)
	wantNoHash(t, r)
	return r
}

// patchUser has the first admin change a user.
func patchUser(t *testing.T, id string, patch obj) reply {
	t.Helper()
	r := call(t, http.MethodPatch, "/api/v1/users/"+id, env.key, patch)
	wantNoHash(t, r)
	return r
}

// getUser reads a user as the first admin.
func getUser(t *testing.T, id string) shared.User {
	t.Helper()
	r := call(t, http.MethodGet, "/api/v1/users/"+id, env.key, nil)
	wantStatus(t, r, http.StatusOK)
	wantNoHash(t, r)
	return decodeAs[shared.User](t, r)
}

// listUsers reads every user as the first admin.
func listUsers(t *testing.T) []shared.User {
	t.Helper()
	r := call(t, http.MethodGet, "/api/v1/users", env.key, nil)
	wantStatus(t, r, http.StatusOK)
	wantNoHash(t, r)
	return decodeAs[struct {
		Users []shared.User `json:"users"`
	}](t, r).Users
}

// wantNoHash fails the test when an answer shows a password hash.
func wantNoHash(t *testing.T, r reply) {
	t.Helper()
	if s := string(r.body); strings.Contains(s, "password_hash") || strings.Contains(s, "$2a$") {
		t.Errorf("%s: the answer shows a password hash", r)
	}
}

// dbDocs returns the documents of a collection that match filter, read
// through the MongoDB driver from the server's database.
func dbDocs(t *testing.T, collection string, filter bson.D) []bson.M {
	t.Helper()
	ctx := context.Background()
	client, err := mongo.Connect(options.Client().ApplyURI(env.srv.MongoURI()))
	if err != nil {
		t.Fatalf("connect to the database: %v", err)
	}
	defer client.Disconnect(ctx)
	cur, err := client.Database("plugboard").Collection(collection).Find(ctx, filter)
	if err != nil {
		t.Fatalf("find in %s: %v", collection, err)
	}
	var out []bson.M
	if err := cur.All(ctx, &out); err != nil {
		t.Fatalf("read %s: %v", collection, err)
	}
	return out
}

// auditOf returns the stored audit entries of an action that match
// filter, read from the database itself.
func auditOf(t *testing.T, action shared.AuditAction, filter bson.D) []bson.M {
	t.Helper()
	return dbDocs(t, "audit", append(bson.D{{Key: "action", Value: action}}, filter...))
}

// soleActiveAdmin makes the first admin the only active admin until the
// test ends, by disabling the others for its duration.
func soleActiveAdmin(t *testing.T) {
	t.Helper()
	for _, u := range listUsers(t) {
		if u.ID == env.ownerID || u.Role != shared.RoleAdmin || u.Disabled {
			continue
		}
		wantStatus(t, patchUser(t, u.ID, obj{"disabled": true}), http.StatusOK)
		t.Cleanup(func() { wantStatus(t, patchUser(t, u.ID, obj{"disabled": false}), http.StatusOK) })
	}
}

// adminKey makes another admin, who signs in with their password and
// creates an API key with every right, and returns that key.
func adminKey(t *testing.T) string {
	t.Helper()
	a := addUser(t, shared.RoleAdmin)
	cookie, sess := passwordSession(t, a.Username, a.password)
	r := asCookie(t, http.MethodPost, "/api/v1/keys", cookie, sess.CSRFToken,
		obj{"name": "second admin", "rights": shared.AllRights})
	wantStatus(t, r, http.StatusCreated)
	return decodeAs[shared.NewAPIKey](t, r).Key
}
