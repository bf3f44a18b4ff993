package e2e

import (
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"

	"github.com/plugboard/plugboard/backend/internal/hydratest"
	"github.com/plugboard/plugboard/shared"
	"github.com/plugboard/plugboard/shared/api"
)

// Access token lifetimes at Hydra: short ones make a refresh due within
// seconds.
const (
	oauthShortTTL = 2 * time.Second
	oauthLongTTL  = time.Hour
)

// oauthHydraEnv is one Hydra and one Plugboard, shared by the subtests of
// TestOAuthHydra, which run in turn.
type oauthHydraEnv struct {
	hydra   *hydratest.Server
	pb      *oauthPlugboard
	db      *mongo.Database
	secrets *oauthSecrets
}

// TestOAuthHydra runs OAuth 2.0 connections end to end against a real
// authorization server, Ory Hydra, which enforces PKCE, rotates refresh
// tokens and revokes a whole grant when an old refresh token comes back.
func TestOAuthHydra(t *testing.T) {
	secrets := newOAuthSecrets()
	hydra := hydratest.Start(t, hydratest.WithCountingProxy(), hydratest.WithPKCEEnforced())
	pb := oauthStart(t, secrets)
	env := &oauthHydraEnv{hydra: hydra, pb: pb, db: oauthDB(t, pb.srv.MongoURI()), secrets: secrets}

	t.Run("code flow with PKCE", env.testCodeFlow)
	t.Run("bad states", env.testBadStates)
	t.Run("provider refuses", env.testProviderRefuses)
	t.Run("discovery", env.testDiscovery)
	t.Run("refresh rotates", env.testRefreshRotates)
	t.Run("fifty callers one refresh", env.testConcurrentRefresh)
	t.Run("invalid_grant needs reauth", env.testInvalidGrant)
	t.Run("revoke and authorize again", env.testRevoke)
	t.Run("delete revokes", env.testDelete)
}

// oauthHydraService is a custom service for one Hydra client, with a tap
// in front of its token and revocation endpoints.
type oauthHydraService struct {
	id     string
	client hydratest.Client
	tap    *oauthTap
}

// newService registers a client at Hydra for Plugboard's callback and
// defines a custom service for it. A non-zero accessTTL sets the client's
// access token lifetime.
func (e *oauthHydraEnv) newService(t *testing.T, id string, accessTTL time.Duration) *oauthHydraService {
	t.Helper()
	client := e.hydra.CreateClient(t, hydratest.ClientSpec{
		RedirectURIs: []string{e.pb.callbackURL()},
		Scopes:       []string{"offline_access", "profile", "email"},
	})
	e.secrets.add("client secret", client.Secret)
	if accessTTL > 0 {
		e.hydra.SetLifespans(t, client.ID, accessTTL, 0)
	}
	tap := oauthNewTap(t, strings.TrimSuffix(e.hydra.TokenURL(), "/oauth2/token"), e.secrets)
	svc := shared.Service{
		ID:       id,
		Name:     "Hydra " + id,
		AuthType: shared.AuthOAuth2,
		OAuth2: shared.OAuth2{
			AuthorizationURL: e.hydra.AuthURL(),
			TokenURL:         tap.URL + "/oauth2/token",
			RevocationURL:    tap.URL + "/oauth2/revoke",
			Scopes:           []shared.Scope{{Name: "offline_access"}, {Name: "profile"}, {Name: "email"}},
			DefaultScopes:    []string{"offline_access", "profile"},
			ClientID:         client.ID,
			ClientSecret:     client.Secret,
		},
	}
	if _, err := e.pb.api.CreateService(t.Context(), svc); err != nil {
		t.Fatalf("create service %s: %v", id, err)
	}
	return &oauthHydraService{id: id, client: client, tap: tap}
}

// newConnection adds a pending connection to a service.
func (e *oauthHydraEnv) newConnection(t *testing.T, serviceID, name string) shared.Connection {
	t.Helper()
	c, err := e.pb.api.CreateConnection(t.Context(), shared.ConnectionInput{Name: name, ServiceID: serviceID})
	if err != nil {
		t.Fatalf("create connection: %v", err)
	}
	return *c
}

// authorizeURL asks Plugboard to start an authorization.
func (e *oauthHydraEnv) authorizeURL(t *testing.T, connID string) *url.URL {
	t.Helper()
	res, err := e.pb.api.Authorize(t.Context(), connID, nil)
	if err != nil {
		t.Fatalf("authorize %s: %v", connID, err)
	}
	u, err := url.Parse(res.AuthorizeURL)
	if err != nil {
		t.Fatalf("parse authorize URL: %v", err)
	}
	e.secrets.add("state", u.Query().Get("state"))
	return u
}

// visitProvider sends the person through Hydra's login and consent and
// returns the callback URL Hydra redirects to.
func (e *oauthHydraEnv) visitProvider(t *testing.T, authorize *url.URL) *url.URL {
	t.Helper()
	cb := e.hydra.Authorize(t, authorize.String())
	e.secrets.add("authorization code", cb.Query().Get("code"))
	if got := cb.Scheme + "://" + cb.Host + cb.Path; got != e.pb.callbackURL() {
		t.Fatalf("Hydra redirected to %s, want %s", got, e.pb.callbackURL())
	}
	return cb
}

// connect runs the whole flow for a connection and fails the test unless
// it ends connected.
func (e *oauthHydraEnv) connect(t *testing.T, connID string) shared.Connection {
	t.Helper()
	cb := e.visitProvider(t, e.authorizeURL(t, connID))
	status, location := oauthDeliver(t, cb, "")
	oauthWantRedirect(t, status, location, "/connections/"+connID+"?outcome=connected")
	c, err := e.pb.api.GetConnection(t.Context(), connID)
	if err != nil {
		t.Fatalf("get connection: %v", err)
	}
	if c.Status != shared.StatusConnected {
		t.Fatalf("status = %s (%s), want connected", c.Status, c.LastError)
	}
	return *c
}

// token asks Plugboard for a connection's access token.
func (e *oauthHydraEnv) token(t *testing.T, connID string) string {
	t.Helper()
	tok, err := e.pb.api.Token(t.Context(), connID)
	if err != nil {
		t.Fatalf("get token: %v", err)
	}
	e.secrets.add("access token handed out", tok.AccessToken)
	return tok.AccessToken
}

// wantActive fails the test unless Hydra's introspection (RFC 7662) says
// each token is active or not, as want says.
func (e *oauthHydraEnv) wantActive(t *testing.T, want bool, tokens map[string]string) {
	t.Helper()
	for name, tok := range tokens {
		if got, _ := e.hydra.Introspect(t, tok); got != want {
			t.Errorf("Hydra says the %s is active = %v, want %v", name, got, want)
		}
	}
}

func (e *oauthHydraEnv) testCodeFlow(t *testing.T) {
	svc := e.newService(t, "hydra-flow", 0)
	conn := e.newConnection(t, svc.id, "Flow")
	codes := e.hydra.TokenRequests("authorization_code")

	authorize := e.authorizeURL(t, conn.ID)
	q := authorize.Query()
	checks := []struct {
		name string
		got  string
		want string
	}{
		{name: "endpoint", got: authorize.Scheme + "://" + authorize.Host + authorize.Path, want: e.hydra.AuthURL()},
		{name: "response_type", got: q.Get("response_type"), want: "code"},
		{name: "client_id", got: q.Get("client_id"), want: svc.client.ID},
		{name: "redirect_uri", got: q.Get("redirect_uri"), want: e.pb.callbackURL()},
		{name: "scope", got: q.Get("scope"), want: "offline_access profile"},
		{name: "code_challenge_method", got: q.Get("code_challenge_method"), want: "S256"},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("authorize URL %s = %q, want %q", c.name, c.got, c.want)
		}
	}
	// 32 random bytes, base64url without padding, are 43 characters.
	if n := len(q.Get("state")); n < 43 {
		t.Errorf("state has %d characters, want at least 43", n)
	}
	if n := len(q.Get("code_challenge")); n != 43 {
		t.Errorf("code_challenge has %d characters, want 43", n)
	}
	if again := e.authorizeURL(t, conn.ID).Query(); again.Get("state") == q.Get("state") ||
		again.Get("code_challenge") == q.Get("code_challenge") {
		t.Errorf("a second authorization reused the state or the challenge, want fresh ones")
	}

	before := time.Now()
	cb := e.visitProvider(t, authorize)
	status, location := oauthDeliver(t, cb, "")
	oauthWantRedirect(t, status, location, "/connections/"+conn.ID+"?outcome=connected")
	for _, leak := range []string{cb.Query().Get("code"), cb.Query().Get("state")} {
		if strings.Contains(location, leak) {
			t.Errorf("redirect %q carries the code or the state", location)
		}
	}

	// The exchange sent the code with the verifier that matches the
	// challenge (RFC 7636 section 4.6).
	exchanges := svc.tap.grants("authorization_code")
	if len(exchanges) != 1 {
		t.Fatalf("authorization_code requests = %d, want 1", len(exchanges))
	}
	ex := exchanges[0]
	if got := ex.Form.Get("code"); got != cb.Query().Get("code") {
		t.Errorf("exchanged code %q, want the one Hydra sent back", got)
	}
	if got := oauthS256(ex.Form.Get("code_verifier")); got != q.Get("code_challenge") {
		t.Errorf("S256(code_verifier) = %q, want the challenge %q", got, q.Get("code_challenge"))
	}
	if got := ex.Form.Get("redirect_uri"); got != e.pb.callbackURL() {
		t.Errorf("exchange redirect_uri = %q, want %q", got, e.pb.callbackURL())
	}
	if user, _, ok := (&http.Request{Header: ex.Header}).BasicAuth(); !ok || user != svc.client.ID {
		t.Errorf("exchange Basic user = %q (present %v), want the client id", user, ok)
	}
	if got := e.hydra.TokenRequests("authorization_code") - codes; got != 1 {
		t.Errorf("Hydra counted %d authorization_code requests, want 1", got)
	}

	c, err := e.pb.api.GetConnection(t.Context(), conn.ID)
	if err != nil {
		t.Fatalf("get connection: %v", err)
	}
	if c.Status != shared.StatusConnected || c.LastError != "" {
		t.Errorf("connection = %s %q, want connected without error", c.Status, c.LastError)
	}
	if want := []string{"offline_access", "profile"}; !slices.Equal(c.GrantedScopes, want) {
		t.Errorf("granted scopes = %q, want %q", c.GrantedScopes, want)
	}
	if lo, hi := before.Add(oauthLongTTL-time.Minute), time.Now().Add(oauthLongTTL); c.TokenExpiresAt.Before(lo) ||
		c.TokenExpiresAt.After(hi) {
		t.Errorf("token expires at %v, want within [%v, %v]", c.TokenExpiresAt, lo, hi)
	}
	if c.ConnectedAt.IsZero() {
		t.Errorf("connected_at is not set")
	}
	_, err = e.pb.api.Authorize(t.Context(), conn.ID, nil)
	oauthWantProblem(t, err, shared.CodeWrongStatus)

	access, refresh := svc.tap.latestTokens(t)
	if got := e.token(t, conn.ID); got != access {
		t.Errorf("GET token gave another access token than Hydra issued")
	}
	e.wantActive(t, true, map[string]string{"access token": access, "refresh token": refresh})

	// Nothing secret is stored in plain text, nor shown in the history.
	cred := oauthCredential(t, e.db, conn.ID)
	e.secrets.assertAbsent(t, "the credential document", cred)
	if n := oauthScanDB(t, e.db, e.secrets); n == 0 {
		t.Errorf("the database holds no documents, want some")
	}
	oauthScanFiles(t, e.pb.dataDir, e.secrets)
	events, err := e.pb.api.Events(t.Context(), conn.ID)
	if err != nil {
		t.Fatalf("events: %v", err)
	}
	for _, ev := range events {
		e.secrets.assertAbsent(t, "the event "+string(ev.Type), []byte(ev.Detail))
	}
}

func (e *oauthHydraEnv) testBadStates(t *testing.T) {
	svc := e.newService(t, "hydra-states", 0)
	conn := e.newConnection(t, svc.id, "States")
	cb := e.visitProvider(t, e.authorizeURL(t, conn.ID))
	status, location := oauthDeliver(t, cb, "")
	oauthWantRedirect(t, status, location, "/connections/"+conn.ID+"?outcome=connected")
	token := e.token(t, conn.ID)
	codes := e.hydra.TokenRequests("authorization_code")

	unknown := *cb
	q := unknown.Query()
	q.Set("state", oauthRandom("state-"))
	unknown.RawQuery = q.Encode()
	missing := *cb
	q = missing.Query()
	q.Del("state")
	missing.RawQuery = q.Encode()
	// A flow left for longer than ten minutes: its stored state, kept
	// under the hash of the state parameter, is made older in place.
	expired := e.visitProvider(t, e.authorizeURL(t, e.newConnection(t, svc.id, "Expired").ID))
	res, err := e.db.Collection("oauth_states").UpdateOne(t.Context(),
		bson.D{{Key: "_id", Value: oauthSHA256Hex(expired.Query().Get("state"))}},
		bson.D{{Key: "$set", Value: bson.D{{Key: "expires_at", Value: time.Now().Add(-time.Second)}}}})
	if err != nil || res.MatchedCount != 1 {
		t.Fatalf("age the stored state: matched %v, %v; want 1 document", res, err)
	}

	tests := []struct {
		name     string
		callback *url.URL
		want     string
	}{
		{name: "replayed", callback: cb, want: "/oauth/failed?code=state_unknown"},
		{name: "unknown", callback: &unknown, want: "/oauth/failed?code=state_unknown"},
		{name: "missing", callback: &missing, want: "/oauth/failed?code=state_missing"},
		{name: "expired", callback: expired, want: "/oauth/failed?code=state_expired"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, location := oauthDeliver(t, tt.callback, "")
			oauthWantRedirect(t, status, location, tt.want)
			if got := e.hydra.TokenRequests("authorization_code") - codes; got != 0 {
				t.Errorf("token requests after a bad state = %d, want 0", got)
			}
			if got := e.token(t, conn.ID); got != token {
				t.Errorf("the access token changed after a bad state, want it untouched")
			}
		})
	}
}

func (e *oauthHydraEnv) testProviderRefuses(t *testing.T) {
	svc := e.newService(t, "hydra-refuses", 0)
	pending := e.newConnection(t, svc.id, "Pending")
	held := e.newConnection(t, svc.id, "Held")
	e.connect(t, held.ID)
	// Changed scopes ask for a new authorization; the tokens stay.
	if _, err := e.pb.api.UpdateConnection(t.Context(), held.ID,
		shared.ConnectionPatch{Scopes: &[]string{"offline_access"}}); err != nil {
		t.Fatalf("change scopes: %v", err)
	}

	tests := []struct {
		name       string
		conn       shared.Connection
		wantStatus shared.Status
		// visit goes to the provider and returns the callback URL.
		visit     func(t *testing.T, authorize *url.URL) *url.URL
		wantWords string
		wantCodes int
	}{
		{
			name:       "access denied, never connected",
			conn:       pending,
			wantStatus: shared.StatusPending,
			visit: func(t *testing.T, authorize *url.URL) *url.URL {
				e.hydra.DenyNext()
				return e.visitProvider(t, authorize)
			},
			wantWords: "Access was denied at the provider (access_denied): The person declined to sign in.",
		},
		{
			name:       "access denied, tokens held",
			conn:       held,
			wantStatus: shared.StatusNeedsReauth,
			visit: func(t *testing.T, authorize *url.URL) *url.URL {
				e.hydra.DenyNext()
				return e.visitProvider(t, authorize)
			},
			wantWords: "Access was denied at the provider (access_denied)",
		},
		{
			name:       "code refused at the exchange",
			conn:       held,
			wantStatus: shared.StatusNeedsReauth,
			visit: func(t *testing.T, authorize *url.URL) *url.URL {
				cb := e.visitProvider(t, authorize)
				q := cb.Query()
				q.Set("code", oauthRandom("ory_ac_forged"))
				cb.RawQuery = q.Encode()
				return cb
			},
			wantWords: "Exchanging the code at Hydra hydra-refuses failed: The provider no longer accepts this grant (invalid_grant)",
			wantCodes: 1,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var cred []byte
			if tt.conn.ID == held.ID {
				cred = oauthCredential(t, e.db, held.ID)
			}
			codes := len(svc.tap.grants("authorization_code"))

			cb := tt.visit(t, e.authorizeURL(t, tt.conn.ID))
			status, location := oauthDeliver(t, cb, "")

			oauthWantRedirect(t, status, location, "/connections/"+tt.conn.ID+"?outcome=failed")
			c, err := e.pb.api.GetConnection(t.Context(), tt.conn.ID)
			if err != nil {
				t.Fatalf("get connection: %v", err)
			}
			if c.Status != tt.wantStatus {
				t.Errorf("status = %s, want %s", c.Status, tt.wantStatus)
			}
			if !strings.Contains(c.LastError, tt.wantWords) {
				t.Errorf("last_error = %q, want it to contain %q", c.LastError, tt.wantWords)
			}
			if got := len(svc.tap.grants("authorization_code")) - codes; got != tt.wantCodes {
				t.Errorf("authorization_code requests = %d, want %d", got, tt.wantCodes)
			}
			if cred != nil {
				if got := oauthCredential(t, e.db, held.ID); !slices.Equal(got, cred) {
					t.Errorf("the stored credential changed, want it untouched")
				}
			}
		})
	}
}

func (e *oauthHydraEnv) testDiscovery(t *testing.T) {
	client := e.hydra.CreateClient(t, hydratest.ClientSpec{
		RedirectURIs: []string{e.pb.callbackURL()},
		Scopes:       []string{"offline_access", "profile"},
	})
	e.secrets.add("client secret", client.Secret)
	define := func(id, issuer string) (*shared.Service, error) {
		return e.pb.api.CreateService(t.Context(), shared.Service{
			ID: id, Name: "Discovered " + id, AuthType: shared.AuthOAuth2,
			OAuth2: shared.OAuth2{
				Issuer:        issuer,
				Scopes:        []shared.Scope{{Name: "offline_access"}, {Name: "profile"}},
				DefaultScopes: []string{"offline_access", "profile"},
				ClientID:      client.ID, ClientSecret: client.Secret,
			},
		})
	}

	t.Run("endpoints filled", func(t *testing.T) {
		svc, err := define("hydra-discovered", e.hydra.Issuer())
		if err != nil {
			t.Fatalf("create service from issuer: %v", err)
		}
		want := []string{e.hydra.AuthURL(), e.hydra.PublicURL() + "/oauth2/token",
			e.hydra.PublicURL() + "/oauth2/revoke"}
		if got := []string{svc.AuthorizationURL, svc.TokenURL, svc.RevocationURL}; !slices.Equal(got, want) {
			t.Errorf("discovered endpoints = %q, want %q", got, want)
		}

		conn := e.newConnection(t, svc.ID, "Discovered")
		c := e.connect(t, conn.ID)
		e.token(t, conn.ID)
		if want := []string{"offline_access", "profile"}; !slices.Equal(c.GrantedScopes, want) {
			t.Errorf("granted scopes = %q, want %q", c.GrantedScopes, want)
		}
	})

	t.Run("issuer mismatch refused", func(t *testing.T) {
		// The same server under another name: its metadata names
		// 127.0.0.1, not localhost (RFC 8414 section 3.3).
		issuer := strings.Replace(e.hydra.Issuer(), "127.0.0.1", "localhost", 1)
		_, err := define("hydra-mismatch", issuer)
		p := oauthWantProblem(t, err, shared.CodeProviderError)
		if !strings.Contains(p.Detail, e.hydra.Issuer()) {
			t.Errorf("detail = %q, want it to name the issuer %s", p.Detail, e.hydra.Issuer())
		}
		_, err = e.pb.api.GetService(t.Context(), "hydra-mismatch")
		oauthWantProblem(t, err, shared.CodeNotFound)
	})
}

func (e *oauthHydraEnv) testRefreshRotates(t *testing.T) {
	svc := e.newService(t, "hydra-rotation", oauthShortTTL)
	conn := e.newConnection(t, svc.id, "Rotation")
	c := e.connect(t, conn.ID)
	refreshes := e.hydra.TokenRequests("refresh_token")
	// The first tokens are read at the tap: asking Plugboard could
	// already refresh them, so short is their life.
	at0, rt0 := svc.tap.latestTokens(t)
	issued := []string{at0}

	for range 2 {
		oauthSleepUntilStale(c.TokenExpiresAt, oauthShortTTL)
		issued = append(issued, e.token(t, conn.ID))
		next, err := e.pb.api.GetConnection(t.Context(), conn.ID)
		if err != nil {
			t.Fatalf("get connection: %v", err)
		}
		if !next.TokenExpiresAt.After(c.TokenExpiresAt) || next.Status != shared.StatusConnected {
			t.Errorf("after a refresh: %s, expires %v; want connected, after %v",
				next.Status, next.TokenExpiresAt, c.TokenExpiresAt)
		}
		c = *next
	}

	if issued[0] == issued[1] || issued[1] == issued[2] {
		t.Errorf("access tokens did not change at each refresh")
	}
	if got := e.hydra.TokenRequests("refresh_token") - refreshes; got != 2 {
		t.Errorf("Hydra counted %d refresh requests, want 2", got)
	}
	// Each refresh sent the refresh token the previous answer issued, and
	// none was sent twice.
	recs := svc.tap.grants("refresh_token")
	if len(recs) != 2 {
		t.Fatalf("refresh requests = %d, want 2", len(recs))
	}
	want := []string{rt0, recs[0].str("refresh_token")}
	for i, r := range recs {
		if r.Status != http.StatusOK {
			t.Errorf("refresh %d: Hydra answered %d %v", i, r.Status, r.Answer)
		}
		if got := r.Form.Get("refresh_token"); got != want[i] {
			t.Errorf("refresh %d sent another refresh token than the last one issued", i)
		}
	}
	if want[0] == want[1] {
		t.Errorf("Hydra did not rotate the refresh token; the test proves nothing")
	}
	e.wantActive(t, false, map[string]string{"first refresh token": want[0], "second refresh token": want[1]})
	// The access tokens live two seconds, too short to ask about them
	// reliably; the refresh token lives on.
	e.wantActive(t, true, map[string]string{"newest refresh token": recs[1].str("refresh_token")})
}

func (e *oauthHydraEnv) testConcurrentRefresh(t *testing.T) {
	svc := e.newService(t, "hydra-fifty", oauthShortTTL)
	conn := e.newConnection(t, svc.id, "Fifty")
	c := e.connect(t, conn.ID)
	old, _ := svc.tap.latestTokens(t)
	// Tokens issued from now on live long, so that each of the fifty
	// callers finds the refreshed one still fresh.
	e.hydra.SetLifespans(t, svc.client.ID, oauthLongTTL, 0)
	refreshes := e.hydra.TokenRequests("refresh_token")
	oauthSleepUntilStale(c.TokenExpiresAt, oauthShortTTL)

	got, errs := oauthConcurrently(50, func(int) (string, error) {
		tok, err := e.pb.api.Token(t.Context(), conn.ID)
		if err != nil {
			return "", err
		}
		return tok.AccessToken, nil
	})

	oauthWantOneNewToken(t, got, errs, old, func(int) string { return "" })
	if n := e.hydra.TokenRequests("refresh_token") - refreshes; n != 1 {
		t.Errorf("Hydra counted %d refresh requests from 50 callers, want 1", n)
	}
	e.secrets.add("access token handed out", got[0])
}

func (e *oauthHydraEnv) testInvalidGrant(t *testing.T) {
	svc := e.newService(t, "hydra-reuse", oauthShortTTL)
	conn := e.newConnection(t, svc.id, "Reuse")
	c := e.connect(t, conn.ID)
	_, rt0 := svc.tap.latestTokens(t)
	oauthSleepUntilStale(c.TokenExpiresAt, oauthShortTTL)
	e.token(t, conn.ID)
	_, rt1 := svc.tap.latestTokens(t)

	// Someone else sends the rotated-out refresh token: Hydra refuses it
	// and revokes the whole grant, the refresh token Plugboard holds too.
	if status := oauthRefreshAt(t, e.hydra.TokenURL(), svc.client, rt0); status != http.StatusBadRequest {
		t.Fatalf("reusing the old refresh token: status %d, want 400", status)
	}
	e.wantActive(t, false, map[string]string{"refresh token held": rt1})

	after, err := e.pb.api.GetConnection(t.Context(), conn.ID)
	if err != nil {
		t.Fatalf("get connection: %v", err)
	}
	oauthSleepUntilStale(after.TokenExpiresAt, oauthShortTTL)
	_, err = e.pb.api.Token(t.Context(), conn.ID)
	p := oauthWantProblem(t, err, shared.CodeNeedsReauth)

	recs := svc.tap.grants("refresh_token")
	last := recs[len(recs)-1]
	if last.str("error") != "invalid_grant" || last.Form.Get("refresh_token") != rt1 {
		t.Fatalf("last refresh: Hydra answered %v; want invalid_grant for the held refresh token", last.Answer)
	}
	description := last.str("error_description")
	got, err := e.pb.api.GetConnection(t.Context(), conn.ID)
	if err != nil {
		t.Fatalf("get connection: %v", err)
	}
	if got.Status != shared.StatusNeedsReauth {
		t.Errorf("status = %s, want needs_reauth", got.Status)
	}
	for _, text := range []string{got.LastError, p.Detail} {
		if !strings.Contains(text, description) || !strings.Contains(text, "invalid_grant") {
			t.Errorf("%q does not keep the provider's description %q", text, description)
		}
		if strings.Contains(text, "..") {
			t.Errorf("%q has a doubled period", text)
		}
	}
	if len(recs) != 2 {
		t.Errorf("refresh requests = %d, want 2 (one that rotated, one refused)", len(recs))
	}

	e.connect(t, conn.ID)
	_, fresh := svc.tap.latestTokens(t)
	e.wantActive(t, true, map[string]string{"refresh token after re-authorizing": fresh})
}

// oauthRefreshAt sends a refresh request straight to a token endpoint, as
// another client holding the token would, and returns the status.
func oauthRefreshAt(t *testing.T, tokenURL string, client hydratest.Client, refreshToken string) int {
	t.Helper()
	form := url.Values{"grant_type": {"refresh_token"}, "refresh_token": {refreshToken}}
	req, err := http.NewRequestWithContext(t.Context(), http.MethodPost, tokenURL, strings.NewReader(form.Encode()))
	if err != nil {
		t.Fatalf("build refresh request: %v", err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth(url.QueryEscape(client.ID), url.QueryEscape(client.Secret))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("refresh: %v", err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

func (e *oauthHydraEnv) testRevoke(t *testing.T) {
	svc := e.newService(t, "hydra-revoke", 0)
	conn := e.newConnection(t, svc.id, "Revoke")
	e.connect(t, conn.ID)
	access := e.token(t, conn.ID)
	_, refresh := svc.tap.latestTokens(t)
	tokens := map[string]string{"access token": access, "refresh token": refresh}
	e.wantActive(t, true, tokens)

	c, err := e.pb.api.Revoke(t.Context(), conn.ID)
	if err != nil {
		t.Fatalf("revoke: %v", err)
	}

	if c.Status != shared.StatusRevoked || len(c.GrantedScopes) != 0 || !c.TokenExpiresAt.IsZero() {
		t.Errorf("after revoke: %s, scopes %q, expiry %v; want revoked, none, zero",
			c.Status, c.GrantedScopes, c.TokenExpiresAt)
	}
	e.wantActive(t, false, tokens)
	revs := svc.tap.revocations()
	var hints []string
	for _, r := range revs {
		hints = append(hints, r.Form.Get("token_type_hint"))
		if r.Status != http.StatusOK {
			t.Errorf("revocation of the %s: Hydra answered %d", r.Form.Get("token_type_hint"), r.Status)
		}
	}
	if want := []string{"refresh_token", "access_token"}; !slices.Equal(hints, want) {
		t.Errorf("revocation requests for %q, want %q", hints, want)
	}
	list, err := e.pb.api.ListConnections(t.Context(), api.ConnectionQuery{ServiceID: svc.id})
	if err != nil {
		t.Fatalf("list connections: %v", err)
	}
	if len(list) != 1 || list[0].ID != conn.ID || list[0].Status != shared.StatusRevoked {
		t.Errorf("connections of the service = %+v, want this one, revoked", list)
	}
	_, err = e.pb.api.Token(t.Context(), conn.ID)
	oauthWantProblem(t, err, shared.CodeNotConnected)
	n, err := e.db.Collection("credentials").CountDocuments(t.Context(), bson.D{{Key: "_id", Value: conn.ID}})
	if err != nil {
		t.Fatalf("count credentials: %v", err)
	}
	if n != 0 {
		t.Errorf("credentials stored after revoke = %d, want 0", n)
	}

	again := e.connect(t, conn.ID)
	if want := []string{"offline_access", "profile"}; !slices.Equal(again.GrantedScopes, want) {
		t.Errorf("granted scopes after authorizing again = %q, want %q", again.GrantedScopes, want)
	}
	e.wantActive(t, true, map[string]string{"new access token": e.token(t, conn.ID)})
}

func (e *oauthHydraEnv) testDelete(t *testing.T) {
	svc := e.newService(t, "hydra-delete", 0)
	conn := e.newConnection(t, svc.id, "Delete")
	e.connect(t, conn.ID)
	access := e.token(t, conn.ID)
	_, refresh := svc.tap.latestTokens(t)

	if err := e.pb.api.DeleteConnection(t.Context(), conn.ID); err != nil {
		t.Fatalf("delete: %v", err)
	}

	e.wantActive(t, false, map[string]string{"access token": access, "refresh token": refresh})
	if n := len(svc.tap.revocations()); n != 2 {
		t.Errorf("revocation requests = %d, want 2", n)
	}
	_, err := e.pb.api.GetConnection(t.Context(), conn.ID)
	oauthWantProblem(t, err, shared.CodeNotFound)
}
