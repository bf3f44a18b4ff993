package httpapi_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/plugboard/plugboard/shared"
)

// newTokenEndpoint is a fake OAuth 2.0 provider's token endpoint. Codes
// get tokens that expire in two seconds; refreshes get tokens for an
// hour. Each answer's tokens carry prefix.
func newTokenEndpoint(t *testing.T, prefix string) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := r.ParseForm(); err != nil || r.URL.Path != "/token" {
			http.Error(w, "bad request", http.StatusBadRequest)
			return
		}
		life := 2
		if r.PostForm.Get("grant_type") == "refresh_token" {
			life = 3600
		}
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(map[string]any{
			"access_token": prefix + "-access", "refresh_token": prefix + "-refresh",
			"token_type": "Bearer", "expires_in": life,
		})
	}))
	t.Cleanup(srv.Close)
	return srv
}

// TestAuditOfOAuth checks who the trail names for the callback, where the
// browser comes back without a key, and for a refresh, which Plugboard
// does on its own.
func TestAuditOfOAuth(t *testing.T) {
	secret := unique("oauth-trail-")
	provider := newTokenEndpoint(t, secret)
	def := oauthService(unique("oauth-trail-"), secret+"-client")
	def["authorization_url"] = provider.URL + "/authorize"
	def["token_url"] = provider.URL + "/token"
	svc := createService(t, env.key, def)
	conn := createConnection(t, env.key, obj{"name": unique("Docs "), "service_id": svc.ID})
	ref := "/api/v1/connections/" + conn.ID

	r := call(t, http.MethodPost, ref+"/authorize", env.key, nil)
	wantStatus(t, r, http.StatusOK)
	u, err := url.Parse(decodeAs[struct {
		AuthorizeURL string `json:"authorize_url"`
	}](t, r).AuthorizeURL)
	if err != nil {
		t.Fatalf("parse the authorization address: %v", err)
	}
	r = call(t, http.MethodGet, "/oauth/callback?"+url.Values{
		"state": {u.Query().Get("state")}, "code": {"a-code"},
	}.Encode(), "", nil)
	if loc := r.header.Get("Location"); r.status != http.StatusSeeOther || !strings.Contains(loc, "outcome=connected") {
		t.Fatalf("%s: got Location %q, want a 303 to the connected connection", r, loc)
	}
	// The tokens live two seconds and are refreshed in their last one.
	time.Sleep(1100 * time.Millisecond)
	wantStatus(t, call(t, http.MethodGet, ref+"/token", env.key, nil), http.StatusOK)

	entries := auditEntries(t, url.Values{"target": {conn.ID}})
	if got := actionsOf(entries); len(got) != 3 || got[0] != shared.AuditConnRefreshed ||
		got[1] != shared.AuditConnAuthorized || got[2] != shared.AuditConnCreated {
		t.Fatalf("got actions %v, want connection_refreshed, connection_authorized, connection_created", got)
	}
	refreshed, authorized := entries[0], entries[1]
	if refreshed.ActorName != "system" || refreshed.ActorID != "" || refreshed.Via != "system" {
		t.Errorf("got refresh by %q (%q) via %q, want system", refreshed.ActorName, refreshed.ActorID, refreshed.Via)
	}
	admin := usernameOf(t, env.key)
	if authorized.ActorID != env.ownerID || authorized.ActorName != admin ||
		authorized.Via != "oauth_callback" || authorized.IP == "" {
		t.Errorf("got authorization by %q (%q) via %q from %q, want %s (%s) via oauth_callback from an address",
			authorized.ActorName, authorized.ActorID, authorized.Via, authorized.IP, admin, env.ownerID)
	}
	raw, _ := json.Marshal(entries)
	if strings.Contains(string(raw), secret) {
		t.Errorf("got a token or the client secret in the trail: %s", raw)
	}

	l := decodeAs[eventList](t, call(t, http.MethodGet, ref+"/events", env.key, nil))
	for _, e := range l.Events {
		want := admin
		if e.Type == shared.EventRefreshed {
			want = "system"
		}
		if e.Actor != want {
			t.Errorf("got actor %q for %s in the history, want %q", e.Actor, e.Type, want)
		}
	}
}
