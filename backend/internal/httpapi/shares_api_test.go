package httpapi_test

import (
	"context"
	"encoding/base64"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/plugboard/plugboard/shared"
)

type shareList struct {
	Shares []shared.Share `json:"shares"`
}

// share shares the connection at ref (a path) with a user as the first
// owner, an admin, and returns the share.
func share(t *testing.T, ref, userID string) shared.Share {
	t.Helper()
	r := call(t, http.MethodPut, ref+"/shares/"+userID, env.key, nil)
	wantStatus(t, r, http.StatusOK)
	return decodeAs[shared.Share](t, r)
}

// ownerOnlyRoutes are the routes of a connection that only its owner
// may call.
func ownerOnlyRoutes(ref, userID string) []struct {
	method, path string
	body         any
} {
	return []struct {
		method, path string
		body         any
	}{
		{http.MethodGet, ref + "/token", nil},
		{http.MethodGet, ref + "/events", nil},
		{http.MethodPatch, ref, obj{"name": "Taken over"}},
		{http.MethodDelete, ref, nil},
		{http.MethodPost, ref + "/authorize", obj{"params": obj{"user": "u", "pass": "p"}}},
		{http.MethodPost, ref + "/verify", nil},
		{http.MethodPost, ref + "/revoke", nil},
		{http.MethodGet, ref + "/shares", nil},
		{http.MethodPut, ref + "/shares/" + userID, nil},
		{http.MethodDelete, ref + "/shares/" + userID, nil},
	}
}

// findConnection returns the connection with id in the list the owner of
// key sees, and whether it is there.
func findConnection(t *testing.T, key, query, id string) (shared.Connection, bool) {
	t.Helper()
	r := call(t, http.MethodGet, "/api/v1/connections"+query, key, nil)
	wantStatus(t, r, http.StatusOK)
	for _, c := range decodeAs[connectionList](t, r).Connections {
		if c.ID == id {
			return c, true
		}
	}
	return shared.Connection{}, false
}

func TestSharing(t *testing.T) {
	pass := unique("shared-password-")
	api := newShopAPI(t, "owner-login", pass)
	f := api.connected(t, env.key)
	ref := "/api/v1/connections/" + f.conn.ID
	admin, other := usernameOf(t, env.key), usernameOf(t, env.otherKey)

	sh := share(t, ref, env.otherID)
	if sh.ConnectionID != f.conn.ID || sh.UserID != env.otherID || sh.Username != other ||
		sh.CreatedBy != env.ownerID || sh.CreatedAt.IsZero() {
		t.Errorf("got share %+v, want %s with %s (%s), by %s, with a time", sh, f.conn.ID, env.otherID, other, env.ownerID)
	}
	if again := share(t, ref, env.otherID); again != sh {
		t.Errorf("got %+v sharing again, want the same share %+v", again, sh)
	}
	r := call(t, http.MethodGet, ref+"/shares", env.key, nil)
	wantStatus(t, r, http.StatusOK)
	if got := decodeAs[shareList](t, r).Shares; len(got) != 1 || got[0] != sh {
		t.Errorf("got shares %+v, want only %+v", got, sh)
	}

	t.Run("listed with who shared it", func(t *testing.T) {
		for _, q := range []string{"", "?service_id=" + f.svc.ID, "?q=" + f.conn.LinkName, "?status=connected"} {
			c, ok := findConnection(t, env.otherKey, q, f.conn.ID)
			if !ok || c.SharedBy != admin {
				t.Errorf("got %v, shared_by %q for %q, want the connection shared by %q", ok, c.SharedBy, q, admin)
			}
		}
		if _, ok := findConnection(t, env.otherKey, "?status=pending", f.conn.ID); ok {
			t.Errorf("got the connected connection in a list of pending ones")
		}
		if c, _ := findConnection(t, env.key, "", f.conn.ID); c.SharedBy != "" {
			t.Errorf("got shared_by %q in the owner's own list, want none", c.SharedBy)
		}
	})
	t.Run("read by id and link name", func(t *testing.T) {
		for _, p := range []string{ref, "/api/v1/connections/" + f.conn.LinkName} {
			r := call(t, http.MethodGet, p, env.otherKey, nil)
			wantStatus(t, r, http.StatusOK)
			if c := decodeAs[shared.Connection](t, r); c.ID != f.conn.ID || c.SharedBy != admin {
				t.Errorf("got %s shared by %q from %s, want %s shared by %q", c.ID, c.SharedBy, p, f.conn.ID, admin)
			}
		}
	})
	t.Run("only the owner changes it", func(t *testing.T) {
		before := snapshot(t, env.key, f)
		for _, p := range []string{ref, "/api/v1/connections/" + f.conn.LinkName} {
			for _, rt := range ownerOnlyRoutes(p, env.ownerID) {
				r := call(t, rt.method, rt.path, env.otherKey, rt.body)
				prob := wantProblem(t, r, http.StatusForbidden, shared.CodeForbidden)
				if !strings.Contains(rt.path, "/shares/") && !strings.Contains(prob.Detail, "shared with you") {
					t.Errorf("%s: got detail %q, want it to say the connection is shared with them", r, prob.Detail)
				}
			}
		}
		wantUnchanged(t, before, snapshot(t, env.key, f))
	})
	t.Run("proxy with the owner's credentials", func(t *testing.T) {
		r := call(t, http.MethodGet, ref+"/proxy/orders", env.otherKey, nil)
		wantStatus(t, r, http.StatusOK)
		want := "Basic " + base64.StdEncoding.EncodeToString([]byte("owner-login:"+pass))
		if got := api.authorizations(); len(got) != 1 || got[0] != want {
			t.Errorf("got Authorization %q at the service, want the owner's %q", got, want)
		}
		r = call(t, http.MethodGet, "/api/v1/connections/"+f.conn.LinkName+"/proxy/orders", env.otherKey, nil)
		wantStatus(t, r, http.StatusOK)
	})
	t.Run("own link name first", func(t *testing.T) {
		byName := "/api/v1/connections/" + f.conn.LinkName
		wantStatus(t, call(t, http.MethodGet, byName+"/proxy/orders", env.otherKey, nil), http.StatusOK)
		svc := createService(t, env.otherKey, basicService(unique("own-")))
		own := createConnection(t, env.otherKey, obj{"name": "Own", "link_name": f.conn.LinkName,
			"service_id": svc.ID, "config": obj{"subdomain": "own"}})
		t.Cleanup(func() {
			r := call(t, http.MethodDelete, "/api/v1/connections/"+own.ID, env.otherKey, nil)
			wantStatus(t, r, http.StatusNoContent)
		})
		r := call(t, http.MethodGet, "/api/v1/connections/"+f.conn.LinkName, env.otherKey, nil)
		wantStatus(t, r, http.StatusOK)
		if c := decodeAs[shared.Connection](t, r); c.ID != own.ID || c.SharedBy != "" {
			t.Errorf("got %s shared by %q, want the user's own %s", c.ID, c.SharedBy, own.ID)
		}
		// The proxy too, at once: the user's own connection is not
		// authorized yet.
		r = call(t, http.MethodGet, byName+"/proxy/orders", env.otherKey, nil)
		wantProblem(t, r, http.StatusConflict, shared.CodeNotConnected)
	})
	t.Run("audited", func(t *testing.T) {
		entries := auditEntries(t, url.Values{"target": {f.conn.ID}, "action": {"connection_shared"}})
		if len(entries) != 1 || !strings.Contains(entries[0].Detail, other) || entries[0].ActorID != env.ownerID {
			t.Errorf("got %+v, want one entry by %s naming %q", entries, env.ownerID, other)
		}
	})
	wantStatus(t, call(t, http.MethodDelete, ref+"/shares/"+env.otherID, env.key, nil), http.StatusNoContent)
	t.Run("unshared", func(t *testing.T) {
		r := call(t, http.MethodDelete, ref+"/shares/"+env.otherID, env.key, nil)
		wantProblem(t, r, http.StatusNotFound, shared.CodeNotFound)
		wantNowhere(t, env.otherKey, f)
		entries := auditEntries(t, url.Values{"target": {f.conn.ID}, "action": {"connection_unshared"}})
		if len(entries) != 1 || !strings.Contains(entries[0].Detail, other) {
			t.Errorf("got %+v, want one entry naming %q", entries, other)
		}
	})
}

// wantNowhere checks that the owner of key reaches f's connection by no
// route: every one answers 404, as for a connection that does not exist.
func wantNowhere(t *testing.T, key string, f fixture) {
	t.Helper()
	for _, ref := range []string{f.conn.ID, f.conn.LinkName} {
		p := "/api/v1/connections/" + ref
		routes := append(ownerOnlyRoutes(p, env.ownerID), authedRoutes(f.svc.ID, ref)...)
		for _, rt := range routes {
			if !strings.HasPrefix(rt.path, "/api/v1/connections/") {
				continue
			}
			r := call(t, rt.method, rt.path, key, rt.body)
			if rt.method == http.MethodPut && strings.Contains(rt.path, "/shares/") &&
				r.status == http.StatusForbidden {
				continue // refused for not being an admin, before the connection is looked up
			}
			wantProblem(t, r, http.StatusNotFound, shared.CodeNotFound)
		}
	}
	if _, ok := findConnection(t, key, "", f.conn.ID); ok {
		t.Errorf("got the connection in the list, want it left out")
	}
}

// TestSharedUseIsTheOwners checks that a use through a share is written
// to the owner's record. Uses are written every 30 seconds, so after the
// use the test waits in parallel, while the package's other tests run.
func TestSharedUseIsTheOwners(t *testing.T) {
	api := newShopAPI(t, "owner-login", unique("pw-"))
	f := api.connected(t, env.key)
	ref := "/api/v1/connections/" + f.conn.ID
	share(t, ref, env.otherID)
	wantStatus(t, call(t, http.MethodGet, ref+"/proxy/orders", env.otherKey, nil), http.StatusOK)
	t.Parallel()

	deadline := time.Now().Add(45 * time.Second)
	for {
		r := call(t, http.MethodGet, ref, env.key, nil)
		wantStatus(t, r, http.StatusOK)
		if !decodeAs[shared.Connection](t, r).LastUsedAt.IsZero() {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("got no last_used_at on the owner's connection after a use through a share")
		}
		time.Sleep(250 * time.Millisecond)
	}
}

func TestSharingReachesNoOneElse(t *testing.T) {
	api := newShopAPI(t, "someone", unique("pw-"))
	f := api.connected(t, env.key)
	share(t, "/api/v1/connections/"+f.conn.ID, env.otherID)
	_, thirdKey := newUser(t, "third")
	wantNowhere(t, thirdKey, f)
	if len(api.authorizations()) != 0 {
		t.Errorf("got calls %v at the service, want none", api.authorizations())
	}
}

func TestShareRefusals(t *testing.T) {
	f := newFixture(t, env.key)
	ref := "/api/v1/connections/" + f.conn.ID
	thirdID, _ := newUser(t, "unshared")

	t.Run("with yourself", func(t *testing.T) {
		r := call(t, http.MethodPut, ref+"/shares/"+env.ownerID, env.key, nil)
		p := wantProblem(t, r, http.StatusUnprocessableEntity, shared.CodeValidation)
		if !hasFieldError(p, "user_id") {
			t.Errorf("got errors %v, want one about user_id", p.Errors)
		}
	})
	t.Run("with nobody", func(t *testing.T) {
		for _, u := range []string{"0123456789abcdef01234567", "no-such-user"} {
			r := call(t, http.MethodPut, ref+"/shares/"+u, env.key, nil)
			wantProblem(t, r, http.StatusNotFound, shared.CodeNotFound)
		}
	})
	t.Run("unknown connection", func(t *testing.T) {
		r := call(t, http.MethodPut, "/api/v1/connections/nobody_has_this/shares/"+env.otherID, env.key, nil)
		wantProblem(t, r, http.StatusNotFound, shared.CodeNotFound)
	})
	t.Run("unshare what was never shared", func(t *testing.T) {
		r := call(t, http.MethodDelete, ref+"/shares/"+thirdID, env.key, nil)
		wantProblem(t, r, http.StatusNotFound, shared.CodeNotFound)
	})
	r := call(t, http.MethodGet, ref+"/shares", env.key, nil)
	wantStatus(t, r, http.StatusOK)
	if got := decodeAs[shareList](t, r).Shares; len(got) != 0 {
		t.Errorf("got shares %+v after refusals, want none", got)
	}
}

// TestMemberMayNotShare checks that only admins share, while an owner
// may always stop sharing: a member may still own a share made while
// they were an admin.
func TestMemberMayNotShare(t *testing.T) {
	f := newFixture(t, env.otherKey)
	ref := "/api/v1/connections/" + f.conn.ID
	r := call(t, http.MethodPut, ref+"/shares/"+env.ownerID, env.otherKey, nil)
	wantProblem(t, r, http.StatusForbidden, shared.CodeForbidden)
	r = call(t, http.MethodGet, ref+"/shares", env.otherKey, nil)
	wantStatus(t, r, http.StatusOK)
	if got := decodeAs[shareList](t, r).Shares; len(got) != 0 {
		t.Errorf("got shares %+v, want none", got)
	}

	t.Run("but stops sharing", func(t *testing.T) {
		// A share left from when its owner was an admin gives no use:
		// sharing is checked against the owner's role at every use.
		insertShare(t, f.conn.ID, env.otherID, env.ownerID)
		if _, ok := findConnection(t, env.key, "", f.conn.ID); ok {
			t.Errorf("got a member's old share in the list of the user it was shared with, want it left out")
		}
		r := call(t, http.MethodDelete, ref+"/shares/"+env.ownerID, env.otherKey, nil)
		wantStatus(t, r, http.StatusNoContent)
		if n := storedShares(t, f.conn.ID); n != 0 {
			t.Errorf("got %d stored shares after the member stopped sharing, want none", n)
		}
		if _, ok := findConnection(t, env.key, "", f.conn.ID); ok {
			t.Errorf("got the connection in the list after its share ended, want it left out")
		}
	})
}

func TestDeletingConnectionEndsShares(t *testing.T) {
	f := newFixture(t, env.key)
	ref := "/api/v1/connections/" + f.conn.ID
	share(t, ref, env.otherID)
	wantStatus(t, call(t, http.MethodDelete, ref, env.key, nil), http.StatusNoContent)

	wantNowhere(t, env.otherKey, f)
	if n := storedShares(t, f.conn.ID); n != 0 {
		t.Errorf("got %d stored shares of the deleted connection, want none", n)
	}
	entries := auditEntries(t, url.Values{"target": {f.conn.ID}})
	if got := actionsOf(entries); !slices.Contains(got, shared.AuditConnDeleted) {
		t.Errorf("got actions %v, want connection_deleted among them", got)
	}
}

func TestDeletingUserEndsShares(t *testing.T) {
	f := newFixture(t, env.key)
	id, _ := newUser(t, "leaver-")
	share(t, "/api/v1/connections/"+f.conn.ID, id)
	wantStatus(t, call(t, http.MethodDelete, "/api/v1/users/"+id, env.key, nil), http.StatusNoContent)

	if n := storedShares(t, f.conn.ID); n != 0 {
		t.Errorf("got %d stored shares with the deleted user, want none", n)
	}
	r := call(t, http.MethodGet, "/api/v1/connections/"+f.conn.ID+"/shares", env.key, nil)
	if got := decodeAs[shareList](t, r).Shares; len(got) != 0 {
		t.Errorf("got shares %+v, want none", got)
	}
}

// storedShares counts the share documents of a connection in the
// database itself.
func storedShares(t *testing.T, connID string) int64 {
	t.Helper()
	ctx := context.Background()
	client, err := mongo.Connect(options.Client().ApplyURI(env.srv.MongoURI()))
	if err != nil {
		t.Fatalf("connect to the database: %v", err)
	}
	defer client.Disconnect(ctx)
	n, err := client.Database("plugboard").Collection("shares").
		CountDocuments(ctx, bson.D{{Key: "connection_id", Value: connID}})
	if err != nil {
		t.Fatalf("count shares: %v", err)
	}
	return n
}
