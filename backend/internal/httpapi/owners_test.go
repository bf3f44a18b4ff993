package httpapi_test

import (
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/plugboard/plugboard/shared"
)

// TestOwnerBoundary checks that a second owner cannot see or touch the
// first owner's services, connections and settings: every route answers
// 404, as for a record that does not exist, never 403.
func TestOwnerBoundary(t *testing.T) {
	f := newFixture(t, env.key)
	authorized := newFixture(t, env.key)
	wantStatus(t, call(t, http.MethodPost, "/api/v1/connections/"+authorized.conn.ID+"/authorize", env.key,
		obj{"params": obj{"user": "u", "pass": "p"}}), http.StatusOK)
	wantStatus(t, call(t, http.MethodPatch, "/api/v1/services/bitbucket", env.key,
		obj{"client_id": "first-owners-app", "client_secret": "first-owners-secret"}), http.StatusOK)
	before := snapshot(t, env.key, f) + snapshot(t, env.key, authorized)

	for _, fx := range []struct {
		name string
		f    fixture
	}{{"pending", f}, {"authorized", authorized}} {
		for _, ref := range []struct {
			name, ref string
		}{{"by id", fx.f.conn.ID}, {"by link name", fx.f.conn.LinkName}} {
			t.Run(fx.name+" connection "+ref.name, func(t *testing.T) {
				for _, rt := range authedRoutes(fx.f.svc.ID, ref.ref) {
					if rt.path == "/api/v1/session" || rt.path == "/api/v1/meta" ||
						rt.path == "/api/v1/services" || rt.path == "/api/v1/connections" {
						continue
					}
					r := call(t, rt.method, rt.path, env.otherKey, rt.body)
					wantProblem(t, r, http.StatusNotFound, shared.CodeNotFound)
				}
			})
		}
	}

	// Keys and shares belong to their owner too. Another admin, who may
	// share their own connections, is told that the first owner's do not
	// exist; so is a member, for routes that members may call (any owner
	// may stop sharing). Routes for admins only answer a member 403
	// whatever the ids, so they tell nothing about what exists either.
	t.Run("keys and shares", func(t *testing.T) {
		var mine shared.NewAPIKey
		r := call(t, http.MethodPost, "/api/v1/keys", env.key, obj{"name": unique("mine-"), "rights": []string{"read"}})
		wantStatus(t, r, http.StatusCreated)
		mine = decodeAs[shared.NewAPIKey](t, r)
		t.Cleanup(func() { call(t, http.MethodDelete, "/api/v1/keys/"+mine.ID, env.key, nil) })
		peer := addUser(t, shared.RoleMember)
		share(t, "/api/v1/connections/"+authorized.conn.ID, peer.ID)
		otherAdmin := adminKey(t)

		for _, who := range []struct {
			name, key string
			admin     bool
		}{{"member", env.otherKey, false}, {"admin", otherAdmin, true}} {
			t.Run(who.name, func(t *testing.T) {
				for _, conn := range []fixture{f, authorized} {
					for _, ref := range []string{conn.conn.ID, conn.conn.LinkName} {
						c := "/api/v1/connections/" + ref
						for _, rt := range []struct {
							method, path string
							adminOnly    bool
						}{
							{http.MethodGet, c + "/shares", false},
							{http.MethodPut, c + "/shares/" + peer.ID, true},
							{http.MethodDelete, c + "/shares/" + peer.ID, false},
						} {
							r := call(t, rt.method, rt.path, who.key, nil)
							if rt.adminOnly && !who.admin {
								wantProblem(t, r, http.StatusForbidden, shared.CodeForbidden)
								continue
							}
							wantProblem(t, r, http.StatusNotFound, shared.CodeNotFound)
						}
					}
				}
				wantProblem(t, call(t, http.MethodDelete, "/api/v1/keys/"+mine.ID, who.key, nil),
					http.StatusNotFound, shared.CodeNotFound)
				r := call(t, http.MethodGet, "/api/v1/keys", who.key, nil)
				wantStatus(t, r, http.StatusOK)
				if strings.Contains(string(r.body), mine.ID) {
					t.Errorf("another user's key list holds the first owner's key %s", mine.ID)
				}
			})
		}
		wantStatus(t, call(t, http.MethodGet, "/api/v1/keys", env.key, nil), http.StatusOK)
		r = call(t, http.MethodGet, "/api/v1/connections/"+authorized.conn.ID+"/shares", env.key, nil)
		if got := decodeAs[shareList](t, r).Shares; len(got) != 1 || got[0].UserID != peer.ID {
			t.Errorf("got shares %+v, want the one share with %s left as it was", got, peer.ID)
		}
	})

	t.Run("connection to another owner's service", func(t *testing.T) {
		r := call(t, http.MethodPost, "/api/v1/connections", env.otherKey,
			obj{"name": "x", "service_id": f.svc.ID, "config": obj{"subdomain": "a"}})
		p := wantProblem(t, r, http.StatusUnprocessableEntity, shared.CodeValidation)
		if !hasFieldError(p, "service_id") {
			t.Errorf("got errors %v, want one about service_id", p.Errors)
		}
	})

	t.Run("lists", func(t *testing.T) {
		svcs := serviceIDs(decodeAs[serviceList](t, call(t, http.MethodGet, "/api/v1/services", env.otherKey, nil)))
		if slices.Contains(svcs, f.svc.ID) || slices.Contains(svcs, authorized.svc.ID) {
			t.Errorf("got services %v, want none of the first owner's", svcs)
		}
		for _, q := range []string{"", "?q=" + f.conn.LinkName, "?service_id=" + f.svc.ID, "?status=connected"} {
			conns := connectionIDs(decodeAs[connectionList](t, call(t, http.MethodGet, "/api/v1/connections"+q, env.otherKey, nil)))
			if slices.Contains(conns, f.conn.ID) || slices.Contains(conns, authorized.conn.ID) {
				t.Errorf("got connections %v for %q, want none of the first owner's", conns, q)
			}
		}
	})

	t.Run("built-in settings are per owner", func(t *testing.T) {
		s := decodeAs[shared.Service](t, call(t, http.MethodGet, "/api/v1/services/bitbucket", env.otherKey, nil))
		if s.ClientID != "" || s.ClientSecretSet {
			t.Errorf("got client %q secret set %v, want the first owner's settings hidden", s.ClientID, s.ClientSecretSet)
		}
		l := decodeAs[serviceList](t, call(t, http.MethodGet, "/api/v1/services?q=bitbucket", env.otherKey, nil))
		for _, s := range l.Services {
			if s.ClientID != "" || s.ClientSecretSet {
				t.Errorf("got %s with client %q secret set %v in the list, want none", s.ID, s.ClientID, s.ClientSecretSet)
			}
		}
	})

	t.Run("names are per owner", func(t *testing.T) {
		svc := createService(t, env.otherKey, basicService(f.svc.ID))
		c := createConnection(t, env.otherKey, obj{
			"name": "Same link", "link_name": f.conn.LinkName, "service_id": svc.ID, "config": obj{"subdomain": "b"},
		})
		if c.LinkName != f.conn.LinkName || c.ID == f.conn.ID {
			t.Errorf("got %q %q, want the same link name under a new id", c.LinkName, c.ID)
		}
		// Each owner reaches its own connection by the shared link name.
		mine := decodeAs[shared.Connection](t, call(t, http.MethodGet, "/api/v1/connections/"+f.conn.LinkName, env.key, nil))
		theirs := decodeAs[shared.Connection](t, call(t, http.MethodGet, "/api/v1/connections/"+f.conn.LinkName, env.otherKey, nil))
		if mine.ID != f.conn.ID || theirs.ID != c.ID {
			t.Errorf("got %q and %q, want %q and %q", mine.ID, theirs.ID, f.conn.ID, c.ID)
		}
		wantStatus(t, call(t, http.MethodDelete, "/api/v1/connections/"+c.ID, env.otherKey, nil), http.StatusNoContent)
		wantStatus(t, call(t, http.MethodDelete, "/api/v1/services/"+svc.ID, env.otherKey, nil), http.StatusNoContent)
	})

	wantUnchanged(t, before, snapshot(t, env.key, f)+snapshot(t, env.key, authorized))
}
