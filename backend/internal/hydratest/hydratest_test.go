package hydratest_test

import (
	"crypto/rand"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"golang.org/x/oauth2"

	"github.com/plugboard/plugboard/backend/internal/hydratest"
)

// serverTTL is the access token lifetime the test server is started with.
const serverTTL = 10 * time.Minute

// TestServer runs one Hydra for all subtests; they share it in turn.
func TestServer(t *testing.T) {
	srv := hydratest.Start(t,
		hydratest.WithCountingProxy(),
		hydratest.WithPKCEEnforced(),
		hydratest.WithAccessTokenTTL(serverTTL),
	)
	cb := newCallback(t)

	t.Run("discovery", func(t *testing.T) { testDiscovery(t, srv) })
	t.Run("code flow", func(t *testing.T) { testCodeFlow(t, srv, cb) })
	t.Run("authorize outcomes", func(t *testing.T) { testAuthorizeOutcomes(t, srv, cb) })
	t.Run("revocation", func(t *testing.T) { testRevocation(t, srv, cb) })
	t.Run("lifespans", func(t *testing.T) { testLifespans(t, srv, cb) })
	t.Run("subject", func(t *testing.T) { testSubject(t, srv, cb) })

	if got := cb.hits.Load(); got != 0 {
		t.Errorf("callback requested %d times, want 0: Authorize must stop before it", got)
	}
}

// callback stands for a client's redirect URI. Authorize must never
// request it.
type callback struct {
	url  string
	hits atomic.Int32
}

// newCallback serves a callback until the test ends.
func newCallback(t *testing.T) *callback {
	cb := &callback{}
	s := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		cb.hits.Add(1)
	}))
	t.Cleanup(s.Close)
	cb.url = s.URL + "/callback"
	return cb
}

// newClient registers a client that authenticates with method and returns
// the matching oauth2.Config.
func newClient(
	t *testing.T, srv *hydratest.Server, cb *callback, method string,
) (hydratest.Client, *oauth2.Config) {
	t.Helper()
	c := srv.CreateClient(t, hydratest.ClientSpec{
		RedirectURIs:            []string{cb.url},
		Scopes:                  []string{"offline_access", "profile"},
		TokenEndpointAuthMethod: method,
	})
	style := oauth2.AuthStyleInHeader
	if method == "client_secret_post" {
		style = oauth2.AuthStyleInParams
	}
	return c, &oauth2.Config{
		ClientID:     c.ID,
		ClientSecret: c.Secret,
		RedirectURL:  cb.url,
		Scopes:       []string{"offline_access", "profile"},
		Endpoint: oauth2.Endpoint{
			AuthURL:   srv.AuthURL(),
			TokenURL:  srv.TokenURL(),
			AuthStyle: style,
		},
	}
}

// newState returns a state parameter of 52 random characters.
func newState() string {
	return rand.Text() + rand.Text()
}

// authorize runs the authorization request with PKCE and returns the code,
// failing the test unless the callback URL carries it with the state sent.
func authorize(t *testing.T, srv *hydratest.Server, cfg *oauth2.Config) (code, verifier string) {
	t.Helper()
	state := newState()
	verifier = oauth2.GenerateVerifier()
	u := srv.Authorize(t, cfg.AuthCodeURL(state, oauth2.S256ChallengeOption(verifier)))

	q := u.Query()
	if got := u.Scheme + "://" + u.Host + u.Path; got != cfg.RedirectURL {
		t.Fatalf("Authorize stopped at %s, want %s", got, cfg.RedirectURL)
	}
	if q.Get("error") != "" {
		t.Fatalf("Authorize: error=%s (%s)", q.Get("error"), q.Get("error_description"))
	}
	if got := q.Get("state"); got != state {
		t.Fatalf("state = %q, want %q", got, state)
	}
	if q.Get("code") == "" {
		t.Fatalf("callback URL %s has no code", u)
	}
	return q.Get("code"), verifier
}

// signIn authorizes and exchanges the code for tokens.
func signIn(t *testing.T, srv *hydratest.Server, cfg *oauth2.Config) *oauth2.Token {
	t.Helper()
	code, verifier := authorize(t, srv, cfg)
	tok, err := cfg.Exchange(t.Context(), code, oauth2.VerifierOption(verifier))
	if err != nil {
		t.Fatalf("Exchange: %v", err)
	}
	if tok.AccessToken == "" || tok.RefreshToken == "" {
		t.Fatalf("Exchange: access token %q, refresh token %q; want both",
			tok.AccessToken, tok.RefreshToken)
	}
	return tok
}

// refresh uses refreshToken as if the access token had expired.
func refresh(t *testing.T, cfg *oauth2.Config, refreshToken string) (*oauth2.Token, error) {
	t.Helper()
	expired := &oauth2.Token{RefreshToken: refreshToken, Expiry: time.Now().Add(-time.Hour)}
	return cfg.TokenSource(t.Context(), expired).Token()
}

// testDiscovery checks the URLs the Server hands out against Hydra's
// discovery document.
func testDiscovery(t *testing.T, srv *hydratest.Server) {
	req, err := http.NewRequestWithContext(t.Context(), http.MethodGet,
		srv.PublicURL()+"/.well-known/openid-configuration", nil)
	if err != nil {
		t.Fatalf("get discovery document: %v", err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("get discovery document: %v", err)
	}
	defer resp.Body.Close()
	var doc map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&doc); err != nil {
		t.Fatalf("decode discovery document: %v", err)
	}

	tests := []struct {
		name  string
		field string
		want  string
	}{
		{name: "issuer", field: "issuer", want: srv.Issuer()},
		{name: "authorization endpoint", field: "authorization_endpoint", want: srv.AuthURL()},
		{name: "token endpoint", field: "token_endpoint", want: srv.PublicURL() + "/oauth2/token"},
		{
			name:  "revocation endpoint",
			field: "revocation_endpoint",
			want:  srv.PublicURL() + "/oauth2/revoke",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := doc[tt.field]; got != tt.want {
				t.Errorf("%s = %v, want %s", tt.field, got, tt.want)
			}
		})
	}

	if strings.HasPrefix(srv.TokenURL(), srv.PublicURL()) {
		t.Errorf("TokenURL() = %s, want it through the counting proxy", srv.TokenURL())
	}
}

// testCodeFlow runs the authorization code flow with PKCE, refresh token
// rotation and reuse detection, for both ways of client authentication.
func testCodeFlow(t *testing.T, srv *hydratest.Server, cb *callback) {
	tests := []struct {
		name   string
		method string
	}{
		{name: "client_secret_basic", method: ""},
		{name: "client_secret_post", method: "client_secret_post"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			client, cfg := newClient(t, srv, cb, tt.method)
			codes := srv.TokenRequests("authorization_code")
			refreshes := srv.TokenRequests("refresh_token")

			tok := signIn(t, srv, cfg)
			if got := srv.TokenRequests("authorization_code") - codes; got != 1 {
				t.Errorf("authorization_code requests = %d, want 1", got)
			}
			active, info := srv.Introspect(t, tok.AccessToken)
			if !active || info["client_id"] != client.ID ||
				info["sub"] != hydratest.DefaultSubject {
				t.Errorf("Introspect(access token) = %v, %v; want active for %s and %s",
					active, info, client.ID, hydratest.DefaultSubject)
			}

			// Every refresh rotates the refresh token.
			fresh, err := refresh(t, cfg, tok.RefreshToken)
			if err != nil {
				t.Fatalf("refresh: %v", err)
			}
			if fresh.RefreshToken == "" || fresh.RefreshToken == tok.RefreshToken {
				t.Errorf("refresh token after refresh = %q, want a new one", fresh.RefreshToken)
			}
			if fresh.AccessToken == tok.AccessToken {
				t.Errorf("access token after refresh is unchanged, want a new one")
			}

			// Reusing the rotated-out token fails, and Hydra revokes the
			// whole family.
			_, err = refresh(t, cfg, tok.RefreshToken)
			var re *oauth2.RetrieveError
			if !errors.As(err, &re) || re.ErrorCode != "invalid_grant" {
				t.Errorf("refresh with old token: error %v, want invalid_grant", err)
			}
			if active, _ := srv.Introspect(t, fresh.AccessToken); active {
				t.Errorf("access token of the family is active after reuse, want revoked")
			}
			if got := srv.TokenRequests("refresh_token") - refreshes; got != 2 {
				t.Errorf("refresh_token requests = %d, want 2", got)
			}
		})
	}
}

// testAuthorizeOutcomes checks where Authorize stops: at the redirect URI
// with a code, or with the error Hydra sent there.
func testAuthorizeOutcomes(t *testing.T, srv *hydratest.Server, cb *callback) {
	_, cfg := newClient(t, srv, cb, "")
	tests := []struct {
		name      string
		deny      bool
		pkce      bool
		wantError string
	}{
		{name: "accepted", pkce: true},
		{name: "denied", deny: true, pkce: true, wantError: "access_denied"},
		{name: "accepted after denial", pkce: true},
		{name: "without PKCE", wantError: "invalid_request"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.deny {
				srv.DenyNext()
			}
			state := newState()
			var opts []oauth2.AuthCodeOption
			if tt.pkce {
				opts = append(opts, oauth2.S256ChallengeOption(oauth2.GenerateVerifier()))
			}

			u := srv.Authorize(t, cfg.AuthCodeURL(state, opts...))

			q := u.Query()
			if got := u.Scheme + "://" + u.Host + u.Path; got != cfg.RedirectURL {
				t.Errorf("Authorize stopped at %s, want %s", got, cfg.RedirectURL)
			}
			if got := q.Get("error"); got != tt.wantError {
				t.Errorf("error = %q (%s), want %q", got, q.Get("error_description"), tt.wantError)
			}
			if got := q.Get("code") != ""; got != (tt.wantError == "") {
				t.Errorf("has code = %v, want %v", got, tt.wantError == "")
			}
			if got := q.Get("state"); got != state {
				t.Errorf("state = %q, want %q", got, state)
			}
		})
	}
}

// testRevocation revokes one token of a pair and expects both dead.
func testRevocation(t *testing.T, srv *hydratest.Server, cb *callback) {
	tests := []struct {
		name   string
		revoke func(*oauth2.Token) string
	}{
		{name: "access token", revoke: func(tok *oauth2.Token) string { return tok.AccessToken }},
		{name: "refresh token", revoke: func(tok *oauth2.Token) string { return tok.RefreshToken }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			client, cfg := newClient(t, srv, cb, "")
			tok := signIn(t, srv, cfg)

			if got := revoke(t, srv, client, tt.revoke(tok)); got != http.StatusOK {
				t.Fatalf("revoke: status %d, want %d", got, http.StatusOK)
			}

			tokens := map[string]string{"access": tok.AccessToken, "refresh": tok.RefreshToken}
			for name, token := range tokens {
				if active, info := srv.Introspect(t, token); active {
					t.Errorf("Introspect(%s token) = active, %v; want inactive", name, info)
				}
			}
		})
	}
}

// revoke asks the revocation endpoint (RFC 7009) to revoke token and
// returns the status code.
func revoke(t *testing.T, srv *hydratest.Server, client hydratest.Client, token string) int {
	t.Helper()
	form := url.Values{"token": {token}}
	req, err := http.NewRequestWithContext(t.Context(), http.MethodPost, srv.RevocationURL(),
		strings.NewReader(form.Encode()))
	if err != nil {
		t.Fatalf("revoke: %v", err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	// RFC 6749 section 2.3.1: the credentials are form-encoded before they
	// go into the Basic header.
	req.SetBasicAuth(url.QueryEscape(client.ID), url.QueryEscape(client.Secret))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("revoke: %v", err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

// testLifespans checks the access token lifetime from the server-wide TTL
// and from a client's own lifespans.
func testLifespans(t *testing.T, srv *hydratest.Server, cb *callback) {
	tests := []struct {
		name      string
		accessTTL time.Duration
		want      time.Duration
	}{
		{name: "server default", want: serverTTL},
		{name: "client lifespan", accessTTL: 30 * time.Second, want: 30 * time.Second},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			client, cfg := newClient(t, srv, cb, "")
			if tt.accessTTL > 0 {
				srv.SetLifespans(t, client.ID, tt.accessTTL, time.Hour)
			}

			tok := signIn(t, srv, cfg)
			fresh, err := refresh(t, cfg, tok.RefreshToken)
			if err != nil {
				t.Fatalf("refresh: %v", err)
			}

			issued := map[string]*oauth2.Token{"exchange": tok, "refresh": fresh}
			for name, it := range issued {
				got := time.Duration(it.ExpiresIn) * time.Second
				if got > tt.want || got < tt.want-5*time.Second {
					t.Errorf("%s: expires_in = %v, want %v", name, got, tt.want)
				}
			}
		})
	}
}

// testSubject checks that tokens are issued to the subject set last.
func testSubject(t *testing.T, srv *hydratest.Server, cb *callback) {
	t.Cleanup(func() { srv.SetSubject(hydratest.DefaultSubject) })
	_, cfg := newClient(t, srv, cb, "")
	tests := []struct {
		name    string
		subject string
	}{
		{name: "another person", subject: "ada@example.com"},
		{name: "default again", subject: hydratest.DefaultSubject},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv.SetSubject(tt.subject)
			tok := signIn(t, srv, cfg)
			if _, info := srv.Introspect(t, tok.AccessToken); info["sub"] != tt.subject {
				t.Errorf("sub = %v, want %s", info["sub"], tt.subject)
			}
		})
	}
}
