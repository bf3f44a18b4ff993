package e2e

import (
	"maps"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/plugboard/plugboard/shared"
)

// Content types providers label their token answers with.
const (
	ctJSON = "application/json; charset=utf-8"
	ctForm = "application/x-www-form-urlencoded; charset=utf-8"
	ctText = "text/plain; charset=utf-8"
)

// TestOAuthTokenShapes completes authorizations whose token answers have
// the shapes real providers send. In the bodies, {at} is the access token
// that must be handed out, {rt} a refresh token, {other} a token that must
// not be handed out, and {base} the fake provider's address.
func TestOAuthTokenShapes(t *testing.T) {
	secrets := newOAuthSecrets()
	pb := oauthStart(t, secrets)
	tests := []struct {
		name   string
		tweak  func(*shared.Service)
		answer oauthFakeAnswer
		// wantError, when set, is part of the last_error of a failed
		// authorization; the rest of the wants are for a connected one.
		wantError     string
		wantType      string
		wantScopes    []string
		wantExpiresIn time.Duration
		wantMetadata  map[string]string
		// verifyPath and verifyAuth are what the verification request must
		// reach: metadata fills api_base_url.
		verifyPath string
		verifyAuth string
	}{
		{
			name: "JSON with every field",
			answer: oauthFakeAnswer{Status: 200, ContentType: ctJSON, Body: `{"access_token":"{at}",` +
				`"token_type":"bearer","expires_in":3600,"refresh_token":"{rt}","scope":"read write"}`},
			wantType: "Bearer", wantScopes: []string{"read", "write"}, wantExpiresIn: time.Hour,
		},
		{
			name: "form-encoded with commas, as GitHub answers by default",
			tweak: func(s *shared.Service) {
				s.TokenAuthStyle = shared.TokenAuthBody
			},
			answer: oauthFakeAnswer{Status: 200, ContentType: ctForm,
				Body: "access_token={at}&scope=read%2Cwrite&token_type=bearer"},
			wantType: "Bearer", wantScopes: []string{"read", "write"},
		},
		{
			name: "JSON labelled text/plain, expires_in as a string",
			answer: oauthFakeAnswer{Status: 200, ContentType: ctText,
				Body: `{"access_token":"{at}","token_type":"Bearer","expires_in":"7200","scope":"read"}`},
			wantType: "Bearer", wantScopes: []string{"read"}, wantExpiresIn: 2 * time.Hour,
		},
		{
			name:   "no expires_in, no scope, no token_type",
			answer: oauthFakeAnswer{Status: 200, ContentType: ctJSON, Body: `{"access_token":"{at}"}`},
			// RFC 6749 section 5.1: no scope means the requested ones.
			wantType: "Bearer", wantScopes: []string{"read", "write"},
		},
		{
			name: "token_type in capitals",
			answer: oauthFakeAnswer{Status: 200, ContentType: ctJSON,
				Body: `{"access_token":"{at}","token_type":"BEARER","expires_in":60}`},
			wantType: "Bearer", wantScopes: []string{"read", "write"}, wantExpiresIn: time.Minute,
		},
		{
			name:  "scopes joined with the service's comma",
			tweak: func(s *shared.Service) { s.ScopeSeparator = "," },
			answer: oauthFakeAnswer{Status: 200, ContentType: ctJSON,
				Body: `{"access_token":"{at}","token_type":"bearer","scope":"read,admin"}`},
			wantType: "Bearer", wantScopes: []string{"read", "admin"},
		},
		{
			name: "nested user token, as Slack answers",
			tweak: func(s *shared.Service) {
				s.ScopeSeparator = ","
				s.TokenResponse = &shared.TokenShape{AccessTokenPath: "authed_user.access_token",
					ScopePath: "authed_user.scope", TokenTypePath: "authed_user.token_type"}
			},
			answer: oauthFakeAnswer{Status: 200, ContentType: ctJSON, Body: `{"ok":true,` +
				`"access_token":"{other}","token_type":"bot","scope":"commands","bot_user_id":"U0KRQLJ9H",` +
				`"team":{"name":"Team","id":"T9TK3CUKW"},` +
				`"authed_user":{"id":"U1234","scope":"read,write","access_token":"{at}","token_type":"user"}}`},
			wantType: "user", wantScopes: []string{"read", "write"},
		},
		{
			name: "instance_url kept and used, as Salesforce answers",
			tweak: func(s *shared.Service) {
				s.TokenResponse = &shared.TokenShape{Metadata: []string{"instance_url"}}
				s.APIBaseURL = "{instance_url}/services/data/v60.0"
				s.Verify = &shared.VerifyRequest{Path: "/limits"}
			},
			answer: oauthFakeAnswer{Status: 200, ContentType: ctJSON, Body: `{"access_token":"{at}",` +
				`"signature":"8uC2lGmZQ","scope":"read write","instance_url":"{base}",` +
				`"id":"https://login.salesforce.com/id/00Dx/005x","token_type":"Bearer","issued_at":"1278448101416"}`},
			wantType: "Bearer", wantScopes: []string{"read", "write"},
			wantMetadata: map[string]string{"instance_url": "{base}"},
			verifyPath:   "/services/data/v60.0/limits", verifyAuth: "Bearer {at}",
		},
		{
			name: "api_domain kept and used, as Zoho answers",
			tweak: func(s *shared.Service) {
				s.TokenResponse = &shared.TokenShape{Metadata: []string{"api_domain"}}
				s.APIBaseURL = "{api_domain}/crm/v2"
				s.AuthScheme = "Zoho-oauthtoken"
				s.Verify = &shared.VerifyRequest{Path: "/org"}
			},
			answer: oauthFakeAnswer{Status: 200, ContentType: ctJSON, Body: `{"access_token":"{at}",` +
				`"refresh_token":"{rt}","api_domain":"{base}","token_type":"Bearer","expires_in":3600}`},
			wantType: "Bearer", wantScopes: []string{"read", "write"}, wantExpiresIn: time.Hour,
			wantMetadata: map[string]string{"api_domain": "{base}"},
			verifyPath:   "/crm/v2/org", verifyAuth: "Zoho-oauthtoken {at}",
		},
		{
			name: "error in a 200 JSON answer, as GitHub sends",
			answer: oauthFakeAnswer{Status: 200, ContentType: ctJSON, Body: `{"error":"bad_verification_code",` +
				`"error_description":"The code passed is incorrect or expired.",` +
				`"error_uri":"https://docs.github.com/apps/managing-oauth-apps/` +
				`troubleshooting-oauth-app-access-token-request-errors/#bad-verification-code"}`},
			wantError: "bad_verification_code: The code passed is incorrect or expired.",
		},
		{
			name: "error in a 200 form answer, as GitHub sends by default",
			answer: oauthFakeAnswer{Status: 200, ContentType: ctForm,
				Body: "error=bad_verification_code&error_description=The+code+passed+is+incorrect+or+expired."},
			wantError: "bad_verification_code: The code passed is incorrect or expired.",
		},
		{
			name: "RFC 6749 error answer",
			answer: oauthFakeAnswer{Status: 400, ContentType: ctJSON,
				Body: `{"error":"invalid_grant","error_description":"Code already redeemed."}`},
			wantError: "The provider no longer accepts this grant (invalid_grant): Code already redeemed.",
		},
		{
			name:      "HTML page instead of a token",
			answer:    oauthFakeAnswer{Status: 200, ContentType: "text/html", Body: "<html><body>Sign in</body></html>"},
			wantError: "held no access token",
		},
		{
			name:      "gateway error page",
			answer:    oauthFakeAnswer{Status: 502, ContentType: "text/html", Body: "<html>Bad Gateway</html>"},
			wantError: "HTTP status 502",
		},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fake := oauthNewFake(t, secrets)
			at, rt, other := oauthRandom("at-"), oauthRandom("rt-"), oauthRandom("other-")
			for _, s := range []string{at, rt, other} {
				secrets.add("token issued", s)
			}
			fill := strings.NewReplacer("{at}", at, "{rt}", rt, "{other}", other, "{base}", fake.URL).Replace
			answer := tt.answer
			answer.Body = fill(answer.Body)
			fake.queue(answer)
			svc := oauthFakeService("shape-"+string(rune('a'+i)), fake)
			if tt.tweak != nil {
				tt.tweak(&svc)
			}

			before := time.Now()
			c, location := oauthFakeConnect(t, pb, secrets, svc)

			if tt.wantError != "" {
				if want := "/connections/" + c.ID + "?outcome=failed"; location != want {
					t.Errorf("callback sent the browser to %q, want %q", location, want)
				}
				if c.Status != shared.StatusPending || !strings.Contains(c.LastError, tt.wantError) {
					t.Errorf("connection = %s %q, want pending with an error containing %q",
						c.Status, c.LastError, tt.wantError)
				}
				_, err := pb.api.Token(t.Context(), c.ID)
				oauthWantProblem(t, err, shared.CodeNotConnected)
				return
			}
			if want := "/connections/" + c.ID + "?outcome=connected"; location != want {
				t.Fatalf("callback sent the browser to %q (%s), want %q", location, c.LastError, want)
			}
			tok, err := pb.api.Token(t.Context(), c.ID)
			if err != nil {
				t.Fatalf("get token: %v", err)
			}
			if tok.AccessToken != at || tok.TokenType != tt.wantType {
				t.Errorf("token = %s %q, want %s and the access token the provider issued",
					tok.TokenType, tok.AccessToken, tt.wantType)
			}
			if !slices.Equal(c.GrantedScopes, tt.wantScopes) {
				t.Errorf("granted scopes = %q, want %q", c.GrantedScopes, tt.wantScopes)
			}
			oauthWantExpiry(t, c.TokenExpiresAt, before, tt.wantExpiresIn)
			want := map[string]string{}
			for k, v := range tt.wantMetadata {
				want[k] = fill(v)
			}
			if got := c.Metadata; !maps.Equal(got, want) {
				t.Errorf("metadata = %v, want %v", got, want)
			}
			if tt.verifyPath != "" {
				oauthWantVerified(t, pb, fake, c.ID, tt.verifyPath, fill(tt.verifyAuth))
			}
		})
	}
}

// TestOAuthTokenRequest checks how the code is exchanged: the client
// authentication style of the service and the PKCE verifier.
func TestOAuthTokenRequest(t *testing.T) {
	secrets := newOAuthSecrets()
	pb := oauthStart(t, secrets)
	off := false
	tests := []struct {
		name      string
		tweak     func(*shared.Service)
		wantBasic bool
		wantPKCE  bool
	}{
		{name: "secret in the Basic header, with PKCE", wantBasic: true, wantPKCE: true},
		{
			name:  "secret in the body, without PKCE",
			tweak: func(s *shared.Service) { s.TokenAuthStyle = shared.TokenAuthBody; s.PKCE = &off },
		},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fake := oauthNewFake(t, secrets)
			at := oauthRandom("at-")
			secrets.add("token issued", at)
			fake.queue(oauthFakeAnswer{Status: 200, ContentType: ctJSON, Body: `{"access_token":"` + at + `"}`})
			svc := oauthFakeService("exchange-"+string(rune('a'+i)), fake)
			if tt.tweak != nil {
				tt.tweak(&svc)
			}

			c, _ := oauthFakeConnect(t, pb, secrets, svc)

			if c.Status != shared.StatusConnected {
				t.Fatalf("status = %s (%s), want connected", c.Status, c.LastError)
			}
			reqs := fake.tokenRequests("authorization_code")
			if len(reqs) != 1 {
				t.Fatalf("authorization_code requests = %d, want 1", len(reqs))
			}
			r := reqs[0]
			user, pass, basic := (&http.Request{Header: r.Header}).BasicAuth()
			if basic != tt.wantBasic {
				t.Errorf("Basic header present = %v, want %v", basic, tt.wantBasic)
			}
			if basic && (user != svc.ClientID || pass != svc.ClientSecret) {
				t.Errorf("Basic credentials are not the client's")
			}
			inBody := r.Form.Get("client_id") == svc.ClientID && r.Form.Get("client_secret") == svc.ClientSecret
			if inBody == tt.wantBasic {
				t.Errorf("client credentials in the body = %v, want %v", inBody, !tt.wantBasic)
			}
			if got := r.Form.Has("code_verifier"); got != tt.wantPKCE {
				t.Errorf("code_verifier sent = %v, want %v", got, tt.wantPKCE)
			}
		})
	}
}

// oauthWantExpiry fails the test unless expiresAt is about life after
// start, or zero when life is zero.
func oauthWantExpiry(t *testing.T, expiresAt, start time.Time, life time.Duration) {
	t.Helper()
	if life == 0 {
		if !expiresAt.IsZero() {
			t.Errorf("token expires at %v, want no expiry", expiresAt)
		}
		return
	}
	lo, hi := start.Add(life-time.Second), time.Now().Add(life+time.Second)
	if expiresAt.Before(lo) || expiresAt.After(hi) {
		t.Errorf("token expires at %v, want within [%v, %v]", expiresAt, lo, hi)
	}
}

// oauthWantVerified verifies a connection and fails the test unless the
// verification request reached path with the Authorization header want.
func oauthWantVerified(t *testing.T, pb *oauthPlugboard, fake *oauthFake, connID, path, want string) {
	t.Helper()
	c, err := pb.api.Verify(t.Context(), connID)
	if err != nil {
		t.Fatalf("verify: %v", err)
	}
	if !c.Verified {
		t.Errorf("verified = false (%s), want true", c.LastError)
	}
	calls := fake.apiCalls()
	if len(calls) != 1 {
		t.Fatalf("API requests = %d, want 1", len(calls))
	}
	if calls[0].Path != path || calls[0].Header.Get("Authorization") != want {
		t.Errorf("verification reached %s with the expected header = %v; want %s with it",
			calls[0].Path, calls[0].Header.Get("Authorization") == want, path)
	}
}
