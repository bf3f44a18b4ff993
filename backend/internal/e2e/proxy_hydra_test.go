package e2e

import (
	"net/http"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/plugboard/plugboard/backend/internal/hydratest"
	"github.com/plugboard/plugboard/backend/internal/server"
	"github.com/plugboard/plugboard/shared"
)

// proxyBurst sends n requests through the proxy of connection link at the
// same moment and returns each one's status and latency.
func proxyBurst(t testing.TB, pb *testPlugboard, link string, n int) ([]int, []time.Duration) {
	t.Helper()
	statuses, took := make([]int, n), make([]time.Duration, n)
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, pb.proxyURL(link, "me"), nil)
			if err != nil {
				t.Error(err)
				return
			}
			req.Header.Set("Authorization", "Bearer "+pb.key)
			<-start
			began := time.Now()
			resp, err := pb.http.Do(req)
			if err != nil {
				t.Errorf("request %d: %v", i, err)
				return
			}
			resp.Body.Close()
			statuses[i], took[i] = resp.StatusCode, time.Since(began)
		})
	}
	close(start)
	wg.Wait()
	return statuses, took
}

// TestProxyHydra runs the proxy against a real OAuth 2.0 server, Ory
// Hydra: the service gets a token Hydra issued, and 200 callers that
// arrive together on a connection whose token has just expired cause
// exactly one refresh, and all succeed with the new token.
func TestProxyHydra(t *testing.T) {
	const callers = 200
	hydra := hydratest.Start(t, hydratest.WithCountingProxy())
	pb := proxyStart(t, server.Config{})
	api := proxyNewUpstream(t, nil)
	client := hydra.CreateClient(t, hydratest.ClientSpec{
		RedirectURIs: []string{pb.srv.URL() + "/oauth/callback"},
		Scopes:       []string{"offline_access", "openid"},
	})
	hydra.SetLifespans(t, client.ID, 3*time.Second, 0)
	svc := pb.addService(t, shared.Service{
		ID: "hydra", Name: "Hydra", AuthType: shared.AuthOAuth2, APIBaseURL: api.URL + "/api",
		OAuth2: shared.OAuth2{
			AuthorizationURL: hydra.AuthURL(), TokenURL: hydra.TokenURL(),
			ClientID: client.ID, ClientSecret: client.Secret,
			Scopes: []shared.Scope{{Name: "offline_access"}}, DefaultScopes: []string{"offline_access"},
		},
	})
	c := pb.addConnection(t, shared.ConnectionInput{Name: "hydra", LinkName: "hydra", ServiceID: svc.ID})
	pb.authorizeOAuth(t, c.ID, func(u string) string { return hydra.Authorize(t, u).String() })
	// Tokens from refreshes live long, so the burst needs only one.
	hydra.SetLifespans(t, client.ID, time.Hour, 0)

	var first string
	t.Run("bearer token", func(t *testing.T) {
		if a := pb.call(t, http.MethodGet, "hydra", "me?x=1", nil, nil); a.status != http.StatusOK {
			t.Fatalf("got status %d (%s), want 200", a.status, a.body)
		}
		seen := api.last(t)
		first = proxyTokenSeen(seen)
		if seen.URI != "/api/me?x=1" {
			t.Errorf("service got %q, want /api/me?x=1", seen.URI)
		}
		active, info := hydra.Introspect(t, first)
		if !active || info["client_id"] != client.ID {
			t.Errorf("Hydra says the token is active=%v for client %v, want an active token of %s",
				active, info["client_id"], client.ID)
		}
	})

	t.Run("200 callers on an expired token", func(t *testing.T) {
		exp := pb.connection(t, c.ID).TokenExpiresAt
		if wait := time.Until(exp); exp.IsZero() || wait > 5*time.Second {
			t.Fatalf("the connection's token expires in %v, want the first, short-lived token", wait)
		}
		time.Sleep(time.Until(exp))
		// Hydra's clock may say so a moment later than the expiry
		// Plugboard derived from expires_in.
		for i := 0; ; i++ {
			if active, _ := hydra.Introspect(t, first); !active {
				break
			}
			if i == 50 {
				t.Fatal("the first token is still active 5 s after its expiry")
			}
			time.Sleep(100 * time.Millisecond)
		}
		refreshes := hydra.TokenRequests("refresh_token")
		before := len(api.requests())

		began := time.Now()
		statuses, took := proxyBurst(t, pb, "hydra", callers)
		slices.Sort(took)
		t.Logf("%d callers served in %v; slowest %v", callers, time.Since(began).Round(time.Millisecond),
			took[len(took)-1].Round(time.Millisecond))

		ok := 0
		for _, s := range statuses {
			if s == http.StatusOK {
				ok++
			}
		}
		if ok != callers {
			t.Errorf("got %d answers 200 of %d, want all", ok, callers)
		}
		if n := hydra.TokenRequests("refresh_token") - refreshes; n != 1 {
			t.Errorf("got %d refresh requests at Hydra, want 1", n)
		}
		var tokens []string
		for _, s := range api.requests()[before:] {
			if tok := proxyTokenSeen(s); !slices.Contains(tokens, tok) {
				tokens = append(tokens, tok)
			}
		}
		if len(tokens) != 1 || tokens[0] == first {
			t.Fatalf("service got %d distinct tokens, want one new token", len(tokens))
		}
		if active, _ := hydra.Introspect(t, tokens[0]); !active {
			t.Error("Hydra says the refreshed token is not active")
		}
	})
}
