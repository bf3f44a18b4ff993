package e2e

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/plugboard/plugboard/backend/internal/server"
	"github.com/plugboard/plugboard/shared"
)

// proxyOAuth is an OAuth 2.0 connection to a fake provider and the
// resource server that accepts its tokens.
type proxyOAuth struct {
	provider *proxyProvider
	api      *proxyUpstream
	link     string
}

// proxyOAuthConnection defines a service for a new provider whose tokens
// live ttl, with its API at a resource server of that provider, and
// authorizes a connection to it. adjust, when not nil, changes the
// service and the provider before the authorization.
func proxyOAuthConnection(t testing.TB, pb *testPlugboard, link string, ttl time.Duration,
	adjust func(svc *shared.Service, o *proxyOAuth)) *proxyOAuth {
	t.Helper()
	o := &proxyOAuth{provider: proxyNewProvider(t, ttl), link: link}
	o.api = proxyNewUpstream(t, proxyResource(o.provider))
	svc := shared.Service{
		ID: strings.ReplaceAll(link, "_", "-"), Name: "OAuth " + link, AuthType: shared.AuthOAuth2,
		APIBaseURL: o.api.URL + "/v1",
		OAuth2: shared.OAuth2{
			AuthorizationURL: o.provider.URL + "/authorize", TokenURL: o.provider.URL + "/token",
			ClientID: proxyClientID, ClientSecret: proxyClientSecret,
			Scopes: []shared.Scope{{Name: "read"}}, DefaultScopes: []string{"read"},
		},
	}
	if adjust != nil {
		adjust(&svc, o)
	}
	svc = pb.addService(t, svc)
	c := pb.addConnection(t, shared.ConnectionInput{Name: link, LinkName: link, ServiceID: svc.ID})
	pb.authorizeOAuth(t, c.ID, o.provider.consent(t))
	return o
}

// proxyTokenSeen is the bearer token of a request a resource server saw.
func proxyTokenSeen(s proxySeen) string {
	return strings.TrimPrefix(s.Header.Get("Authorization"), "Bearer ")
}

// TestProxyOAuth checks the access token a proxied request carries: the
// current one, filled placeholders from the token answer, a refresh
// shortly before expiry, and one refresh and one retry when the service
// refuses a token Plugboard believed valid.
func TestProxyOAuth(t *testing.T) {
	pb := proxyStart(t, server.Config{})

	t.Run("bearer token and metadata placeholder", func(t *testing.T) {
		o := proxyOAuthConnection(t, pb, "meta_api", time.Hour, func(svc *shared.Service, o *proxyOAuth) {
			// The token answer names the API's origin, as Salesforce's
			// instance_url does.
			svc.APIBaseURL = "{instance_url}/services/data"
			svc.TokenResponse = &shared.TokenShape{Metadata: []string{"instance_url"}}
			o.provider.extra = map[string]string{"instance_url": o.api.URL}
		})
		a := pb.call(t, http.MethodGet, o.link, "v59.0/sobjects?limit=1", nil, nil)
		if a.status != http.StatusOK {
			t.Fatalf("got status %d (%s), want 200", a.status, a.body)
		}
		seen := o.api.last(t)
		if seen.URI != "/services/data/v59.0/sobjects?limit=1" {
			t.Errorf("service got %q, want /services/data/v59.0/sobjects?limit=1", seen.URI)
		}
		if got := seen.Header.Values("Authorization"); len(got) != 1 {
			t.Errorf("service got Authorization %q, want one value", got)
		}
		if tok, ok := o.provider.valid(seen.asRequest()); !ok {
			t.Errorf("service got token %q, want one the provider issued", tok)
		}
		if n := o.provider.refreshCount(); n != 0 {
			t.Errorf("got %d refreshes, want 0", n)
		}
	})

	t.Run("client id header", func(t *testing.T) {
		// Twitch wants the installation's own client id with every call.
		var clientID string
		o := proxyOAuthConnection(t, pb, "client_id_header", time.Hour, func(svc *shared.Service, o *proxyOAuth) {
			svc.Headers = map[string]string{"Client-Id": shared.HeaderClientID, "X-Fixed": "v1"}
			clientID = svc.ClientID
		})
		if a := pb.call(t, http.MethodGet, o.link, "streams", nil, nil); a.status != http.StatusOK {
			t.Fatalf("got status %d (%s), want 200", a.status, a.body)
		}
		seen := o.api.last(t)
		if got := seen.Header.Get("Client-Id"); got == "" || got != clientID {
			t.Errorf("service got Client-Id %q, want the service's client id %q", got, clientID)
		}
		if got := seen.Header.Get("X-Fixed"); got != "v1" {
			t.Errorf("service got X-Fixed %q, want v1", got)
		}
	})

	t.Run("refresh before expiry", func(t *testing.T) {
		o := proxyOAuthConnection(t, pb, "short_lived", 2*time.Second, nil)
		if a := pb.call(t, http.MethodGet, o.link, "me", nil, nil); a.status != http.StatusOK {
			t.Fatalf("first call: got status %d (%s), want 200", a.status, a.body)
		}
		first := proxyTokenSeen(o.api.last(t))

		// Past half its life the token is refreshed before use, while the
		// provider still accepts it.
		o.provider.set(func(p *proxyProvider) { p.ttl = time.Hour })
		time.Sleep(1200 * time.Millisecond)
		if _, ok := o.provider.valid(o.api.last(t).asRequest()); !ok {
			t.Fatal("the first token expired before the second call; the test ran too slowly")
		}
		if a := pb.call(t, http.MethodGet, o.link, "me", nil, nil); a.status != http.StatusOK {
			t.Fatalf("second call: got status %d (%s), want 200", a.status, a.body)
		}
		second := proxyTokenSeen(o.api.last(t))
		if second == first {
			t.Errorf("service got the old token %q again, want a refreshed one", first)
		}
		if n := o.provider.refreshCount(); n != 1 {
			t.Errorf("got %d refreshes, want 1", n)
		}
		pb.call(t, http.MethodGet, o.link, "me", nil, nil)
		if n := o.provider.refreshCount(); n != 1 {
			t.Errorf("after a third call got %d refreshes, want still 1", n)
		}
	})

	t.Run("refresh and retry after 401", func(t *testing.T) {
		o := proxyOAuthConnection(t, pb, "killed_token", time.Hour, nil)
		pb.call(t, http.MethodGet, o.link, "me", nil, nil)
		old := proxyTokenSeen(o.api.last(t))
		o.provider.kill(old)
		before := len(o.api.requests())

		body := []byte(`{"text":"hello"}`)
		a := pb.call(t, http.MethodPost, o.link, "posts", body, http.Header{"Content-Type": {"application/json"}})
		if a.status != http.StatusOK {
			t.Fatalf("got status %d (%s), want 200", a.status, a.body)
		}
		seen := o.api.requests()[before:]
		if len(seen) != 2 {
			t.Fatalf("service got %d requests, want 2 (refused, then retried)", len(seen))
		}
		if got := proxyTokenSeen(seen[0]); got != old {
			t.Errorf("first attempt carried %q, want the old token %q", got, old)
		}
		if got := proxyTokenSeen(seen[1]); got == old {
			t.Errorf("retry carried the old token %q, want a new one", got)
		}
		for i, s := range seen {
			if string(s.Body) != string(body) || s.Method != http.MethodPost {
				t.Errorf("attempt %d: got %s with body %q, want POST with %q", i, s.Method, s.Body, body)
			}
		}
		var ans map[string]string
		if err := json.Unmarshal(a.body, &ans); err != nil || ans["token"] != proxyTokenSeen(seen[1]) {
			t.Errorf("got answer %s, want the retry's answer", a.body)
		}
		if n := o.provider.refreshCount(); n != 1 {
			t.Errorf("got %d refreshes, want 1", n)
		}
	})

	t.Run("second 401 passed through", func(t *testing.T) {
		o := proxyOAuthConnection(t, pb, "always_refused", time.Hour, nil)
		o.api.setHandler(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("WWW-Authenticate", `Bearer error="insufficient_scope"`)
			w.WriteHeader(http.StatusUnauthorized)
			_, _ = w.Write([]byte(`{"error":"nope"}`))
		})
		a := pb.call(t, http.MethodGet, o.link, "me", nil, nil)
		if a.status != http.StatusUnauthorized {
			t.Fatalf("got status %d (%s), want the service's 401", a.status, a.body)
		}
		if string(a.body) != `{"error":"nope"}` {
			t.Errorf("got body %s, want the service's", a.body)
		}
		if got := a.header.Get("WWW-Authenticate"); got != `Bearer error="insufficient_scope"` {
			t.Errorf("got WWW-Authenticate %q, want the service's", got)
		}
		if n := len(o.api.requests()); n != 2 {
			t.Errorf("service got %d requests, want 2", n)
		}
		if n := o.provider.refreshCount(); n != 1 {
			t.Errorf("got %d refreshes, want 1", n)
		}
	})
}

// TestProxyNotConnected checks that a connection that cannot be used
// answers a problem document that tells the person what to do, and that
// the service is not called.
func TestProxyNotConnected(t *testing.T) {
	pb := proxyStart(t, server.Config{})
	up := proxyNewUpstream(t, nil)
	svc := pb.addService(t, proxyAPIKeyService("nc", up.URL))

	pb.addConnection(t, shared.ConnectionInput{Name: "pending", LinkName: "pending", ServiceID: svc.ID})
	revoked := pb.addConnection(t, shared.ConnectionInput{Name: "revoked", LinkName: "revoked", ServiceID: svc.ID})
	pb.authorizeParams(t, revoked.ID, map[string]string{"X-Api-Key": "k"})
	// One use puts the connection in the proxy's cache; revoking must
	// take it out at once.
	if a := pb.call(t, http.MethodGet, "revoked", "x", nil, nil); a.status != http.StatusOK {
		t.Fatalf("before revoking: got status %d (%s), want 200", a.status, a.body)
	}
	pb.mustCall(t, http.MethodPost, "/api/v1/connections/revoked/revoke", nil, http.StatusOK, nil)

	expired := proxyOAuthConnection(t, pb, "refused_refresh", time.Second, nil)
	expired.provider.set(func(p *proxyProvider) { p.refuseRefresh = true })
	killed := proxyOAuthConnection(t, pb, "killed_refused", time.Hour, nil)
	pb.call(t, http.MethodGet, killed.link, "me", nil, nil)
	killed.provider.kill(proxyTokenSeen(killed.api.last(t)))
	killed.provider.set(func(p *proxyProvider) { p.refuseRefresh = true })
	time.Sleep(700 * time.Millisecond) // past half the expired token's life

	tests := []struct {
		name       string
		link       string
		upstream   *proxyUpstream
		wantCode   shared.Code
		wantDetail string
		wantStatus shared.Status
		// wantCalls is how many requests reach the service: only the
		// refused attempt that reveals the dead token.
		wantCalls int
	}{
		{name: "pending", link: "pending", upstream: up, wantCode: shared.CodeNotConnected,
			wantDetail: "authorize it first", wantStatus: shared.StatusPending},
		{name: "revoked", link: "revoked", upstream: up, wantCode: shared.CodeNotConnected,
			wantDetail: "authorize it again", wantStatus: shared.StatusRevoked},
		{name: "refresh refused before use", link: expired.link, upstream: expired.api,
			wantCode: shared.CodeNeedsReauth, wantDetail: "Authorize the connection again",
			wantStatus: shared.StatusNeedsReauth},
		{name: "refresh refused after a 401", link: killed.link, upstream: killed.api,
			wantCode: shared.CodeNeedsReauth, wantDetail: "Authorize the connection again",
			wantStatus: shared.StatusNeedsReauth, wantCalls: 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := len(tt.upstream.requests())
			// The second call finds the status already recorded.
			for i := range 2 {
				a := pb.call(t, http.MethodPost, tt.link, "anything", []byte("{}"), nil)
				if a.status != http.StatusConflict {
					t.Fatalf("call %d: got status %d (%s), want 409", i, a.status, a.body)
				}
				if ct := a.header.Get("Content-Type"); ct != shared.ProblemContentType {
					t.Errorf("call %d: got Content-Type %q, want %q", i, ct, shared.ProblemContentType)
				}
				p := a.problem(t)
				if p.Code != tt.wantCode {
					t.Errorf("call %d: got code %q, want %q", i, p.Code, tt.wantCode)
				}
				if !strings.Contains(p.Detail, tt.wantDetail) {
					t.Errorf("call %d: got detail %q, want it to say %q", i, p.Detail, tt.wantDetail)
				}
			}
			if n := len(tt.upstream.requests()) - before; n != tt.wantCalls {
				t.Errorf("service got %d requests, want %d", n, tt.wantCalls)
			}
			if got := pb.connection(t, tt.link).Status; got != tt.wantStatus {
				t.Errorf("connection status %q, want %q", got, tt.wantStatus)
			}
		})
	}
}
