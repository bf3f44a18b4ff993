package httpapi_test

import (
	"net/http"
	"sync"
	"testing"

	"github.com/plugboard/plugboard/shared"
)

// TestDemotedOwnerSharesEnd checks that a connection shared by an admin
// who is then demoted is out of reach at once: through the proxy's
// cached target, and through a share that survived the demotion.
func TestDemotedOwnerSharesEnd(t *testing.T) {
	key := adminKey(t)
	ownerID := whoIs(t, key).ID
	userID, userKey := newUser(t, "sharee-")
	api := newShopAPI(t, "owner-login", unique("pw-"))
	f := api.connected(t, key)
	ref := "/api/v1/connections/" + f.conn.ID
	wantStatus(t, call(t, http.MethodPut, ref+"/shares/"+userID, key, nil), http.StatusOK)
	wantStatus(t, call(t, http.MethodGet, ref+"/proxy/orders", userKey, nil), http.StatusOK)

	wantStatus(t, patchUser(t, ownerID, obj{"role": "member"}), http.StatusOK)
	wantProblem(t, call(t, http.MethodGet, ref+"/proxy/orders", userKey, nil),
		http.StatusNotFound, shared.CodeNotFound)

	insertShare(t, f.conn.ID, ownerID, userID)
	wantProblem(t, call(t, http.MethodGet, ref+"/proxy/orders", userKey, nil),
		http.StatusNotFound, shared.CodeNotFound)
	wantProblem(t, call(t, http.MethodGet, ref, userKey, nil), http.StatusNotFound, shared.CodeNotFound)
	if _, ok := findConnection(t, userKey, "", f.conn.ID); ok {
		t.Errorf("got the demoted owner's connection in the shared user's list, want it absent")
	}
}

// TestDisabledOwnerSharesEnd checks the same for an owner disabled.
func TestDisabledOwnerSharesEnd(t *testing.T) {
	key := adminKey(t)
	ownerID := whoIs(t, key).ID
	userID, userKey := newUser(t, "sharee-")
	api := newShopAPI(t, "owner-login", unique("pw-"))
	f := api.connected(t, key)
	ref := "/api/v1/connections/" + f.conn.ID
	wantStatus(t, call(t, http.MethodPut, ref+"/shares/"+userID, key, nil), http.StatusOK)
	wantStatus(t, call(t, http.MethodGet, ref+"/proxy/orders", userKey, nil), http.StatusOK)

	wantStatus(t, patchUser(t, ownerID, obj{"disabled": true}), http.StatusOK)
	insertShare(t, f.conn.ID, ownerID, userID)
	wantProblem(t, call(t, http.MethodGet, ref+"/proxy/orders", userKey, nil),
		http.StatusNotFound, shared.CodeNotFound)
	wantProblem(t, call(t, http.MethodGet, ref, userKey, nil), http.StatusNotFound, shared.CodeNotFound)
}

// TestShareRaceNoFault shares and unshares one connection with one user
// in parallel, round after round: every answer is a success or a
// not-found, never a server fault.
func TestShareRaceNoFault(t *testing.T) {
	f := newFixture(t, env.key)
	userID, _ := newUser(t, "racer-")
	path := "/api/v1/connections/" + f.conn.ID + "/shares/" + userID
	for round := range 20 {
		var wg sync.WaitGroup
		statuses := make(chan int, 8)
		for i := range 8 {
			method := http.MethodPut
			if i%2 == 1 {
				method = http.MethodDelete
			}
			wg.Go(func() { statuses <- call(t, method, path, env.key, nil).status })
		}
		wg.Wait()
		close(statuses)
		for s := range statuses {
			if s != http.StatusOK && s != http.StatusNoContent && s != http.StatusNotFound {
				t.Fatalf("round %d: got status %d, want 200, 204 or 404", round, s)
			}
		}
	}
}

// TestSharedLinkNameAmbiguous shares two connections with the same link
// name, of two owners, with one user: the link name answers a conflict
// that says to use the id, and each id still reaches its connection.
func TestSharedLinkNameAmbiguous(t *testing.T) {
	key := adminKey(t)
	userID, userKey := newUser(t, "sharee-")
	link := unique("same_link_")
	var ids []string
	for _, k := range []string{env.key, key} {
		svc := createService(t, k, basicService(unique("shop-")))
		c := createConnection(t, k, obj{"name": "Same", "link_name": link, "service_id": svc.ID,
			"config": obj{"subdomain": "acme"}})
		wantStatus(t, call(t, http.MethodPut, "/api/v1/connections/"+c.ID+"/shares/"+userID, k, nil),
			http.StatusOK)
		ids = append(ids, c.ID)
	}

	for _, p := range []string{"/api/v1/connections/" + link, "/api/v1/connections/" + link + "/proxy/x"} {
		pr := wantProblem(t, call(t, http.MethodGet, p, userKey, nil),
			http.StatusConflict, shared.CodeDuplicateLinkName)
		if pr.Detail == "" {
			t.Errorf("%s: got no detail, want one that says to use the id", p)
		}
	}
	for _, id := range ids {
		wantStatus(t, call(t, http.MethodGet, "/api/v1/connections/"+id, userKey, nil), http.StatusOK)
	}
}
