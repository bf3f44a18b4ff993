package lifecycle

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"testing"
	"time"

	"github.com/plugboard/plugboard/shared"
)

// TestReadTokenAnswer reads token endpoint bodies as real providers send
// them (RFC 6749 section 5.1 and the ways providers depart from it).
func TestReadTokenAnswer(t *testing.T) {
	slack := &shared.TokenShape{
		AccessTokenPath: "authed_user.access_token",
		ScopePath:       "authed_user.scope",
		TokenTypePath:   "authed_user.token_type",
	}
	tests := []struct {
		name  string
		body  string
		shape *shared.TokenShape
		sep   string
		want  tokenAnswer
	}{
		{
			name: "hydra JSON",
			body: `{"access_token":"ory_at_a","expires_in":3599,"refresh_token":"ory_rt_r",` +
				`"scope":"offline_access profile","token_type":"bearer"}`,
			sep: " ",
			want: tokenAnswer{AccessToken: "ory_at_a", RefreshToken: "ory_rt_r", TokenType: "Bearer",
				ExpiresIn: 3599 * time.Second, Scopes: []string{"offline_access", "profile"}},
		},
		{
			name: "github form-encoded, commas although requested with spaces",
			body: "access_token=gho_16C7e42F292c6912E7710c838347Ae178B4a&scope=repo%2Cgist&token_type=bearer",
			sep:  " ",
			want: tokenAnswer{AccessToken: "gho_16C7e42F292c6912E7710c838347Ae178B4a", TokenType: "Bearer",
				Scopes: []string{"repo", "gist"}},
		},
		{
			name: "JSON after white space",
			body: "\n  {\"access_token\":\"a\",\"token_type\":\"Bearer\"}\n",
			sep:  " ",
			want: tokenAnswer{AccessToken: "a", TokenType: "Bearer"},
		},
		{
			name: "expires_in as a string",
			body: `{"access_token":"a","expires_in":"3600"}`,
			sep:  " ",
			want: tokenAnswer{AccessToken: "a", TokenType: "Bearer", ExpiresIn: time.Hour},
		},
		{
			name: "expires_in in a form",
			body: "access_token=a&expires_in=28800&token_type=bearer",
			sep:  " ",
			want: tokenAnswer{AccessToken: "a", TokenType: "Bearer", ExpiresIn: 8 * time.Hour},
		},
		{
			name: "expires_in unreadable",
			body: `{"access_token":"a","expires_in":"soon"}`,
			sep:  " ",
			want: tokenAnswer{AccessToken: "a", TokenType: "Bearer"},
		},
		{
			name: "expires_in negative",
			body: `{"access_token":"a","expires_in":-5}`,
			sep:  " ",
			want: tokenAnswer{AccessToken: "a", TokenType: "Bearer"},
		},
		{
			name: "expires_in beyond ten years is capped",
			body: `{"access_token":"a","expires_in":1e300}`,
			sep:  " ",
			want: tokenAnswer{AccessToken: "a", TokenType: "Bearer",
				ExpiresIn: 10 * 365 * 24 * time.Hour},
		},
		{
			name: "token_type in capitals",
			body: `{"access_token":"a","token_type":"BEARER"}`,
			sep:  " ",
			want: tokenAnswer{AccessToken: "a", TokenType: "Bearer"},
		},
		{
			name: "another token_type kept",
			body: `{"access_token":"a","token_type":"mac"}`,
			sep:  " ",
			want: tokenAnswer{AccessToken: "a", TokenType: "mac"},
		},
		{
			name: "scopes with the service's comma",
			body: `{"access_token":"a","scope":"channels:read,chat:write"}`,
			sep:  ",",
			want: tokenAnswer{AccessToken: "a", TokenType: "Bearer",
				Scopes: []string{"channels:read", "chat:write"}},
		},
		{
			name: "scopes as a JSON array",
			body: `{"access_token":"a","scope":["read","write",""]}`,
			sep:  " ",
			want: tokenAnswer{AccessToken: "a", TokenType: "Bearer", Scopes: []string{"read", "write"}},
		},
		{
			name: "scopes with plus signs",
			body: `{"access_token":"a","scope":"read+write"}`,
			sep:  "+",
			want: tokenAnswer{AccessToken: "a", TokenType: "Bearer", Scopes: []string{"read", "write"}},
		},
		{
			name:  "slack user token nested",
			body:  slackAnswer,
			shape: slack,
			sep:   ",",
			want: tokenAnswer{AccessToken: "xoxp-1234", TokenType: "user",
				Scopes: []string{"search:read", "chat:write"}},
		},
		{
			name: "salesforce instance_url kept",
			body: `{"access_token":"00Dxx!AR8","signature":"x8y","scope":"refresh_token api",` +
				`"instance_url":"https://yourInstance.my.salesforce.com",` +
				`"id":"https://login.salesforce.com/id/00Dxx/005xx","token_type":"Bearer","issued_at":"1278448101416"}`,
			shape: &shared.TokenShape{Metadata: []string{"instance_url"}},
			sep:   " ",
			want: tokenAnswer{AccessToken: "00Dxx!AR8", TokenType: "Bearer",
				Scopes:   []string{"refresh_token", "api"},
				Metadata: map[string]string{"instance_url": "https://yourInstance.my.salesforce.com"}},
		},
		{
			name: "zoho api_domain kept, a missing field left out",
			body: `{"access_token":"1000.a","refresh_token":"1000.r","api_domain":"https://www.zohoapis.com",` +
				`"token_type":"Bearer","expires_in":3600}`,
			shape: &shared.TokenShape{Metadata: []string{"api_domain", "location"}},
			sep:   ",",
			want: tokenAnswer{AccessToken: "1000.a", RefreshToken: "1000.r", TokenType: "Bearer",
				ExpiresIn: time.Hour, Metadata: map[string]string{"api_domain": "https://www.zohoapis.com"}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := readTokenAnswer([]byte(tt.body), tt.shape, tt.sep)
			if err != nil {
				t.Fatalf("readTokenAnswer() error = %v, want none", err)
			}
			if !sameAnswer(got, tt.want) {
				t.Errorf("readTokenAnswer() = %s, want %s", describe(got), describe(tt.want))
			}
		})
	}
}

// slackAnswer is Slack's oauth.v2.access answer for an app that asked for
// user scopes: the user's token is nested in authed_user.
const slackAnswer = `{
  "ok": true,
  "access_token": "xoxb-17653672481",
  "token_type": "bot",
  "scope": "commands,incoming-webhook",
  "bot_user_id": "U0KRQLJ9H",
  "app_id": "A0KRD7HC3",
  "team": {"name": "Slack Softball Team", "id": "T9TK3CUKW"},
  "authed_user": {
    "id": "U1234",
    "scope": "search:read,chat:write",
    "access_token": "xoxp-1234",
    "token_type": "user"
  }
}`

// githubErrorURI is where GitHub's error answers point.
const githubErrorURI = "https://docs.github.com/apps/managing-oauth-apps/" +
	"troubleshooting-oauth-app-access-token-request-errors/#bad-verification-code"

// TestReadTokenAnswerErrors reads bodies that hold no token.
func TestReadTokenAnswerErrors(t *testing.T) {
	tests := []struct {
		name      string
		body      string
		shape     *shared.TokenShape
		wantOAuth *oauthError
		wantErr   error
	}{
		{
			name: "github error in a 200 JSON answer",
			body: `{"error":"bad_verification_code",` +
				`"error_description":"The code passed is incorrect or expired.",` +
				`"error_uri":"` + githubErrorURI + `"}`,
			wantOAuth: &oauthError{Code: "bad_verification_code",
				Description: "The code passed is incorrect or expired.", URI: githubErrorURI},
		},
		{
			name: "github error in a 200 form answer",
			body: "error=bad_verification_code&error_description=The+code+passed+is+incorrect+or+expired.",
			wantOAuth: &oauthError{Code: "bad_verification_code",
				Description: "The code passed is incorrect or expired."},
		},
		{
			name:      "control characters removed from the description",
			body:      `{"error":"invalid_grant","error_description":"line\none"}`,
			wantOAuth: &oauthError{Code: "invalid_grant", Description: "line one"},
		},
		{
			name:    "no access token",
			body:    `{"token_type":"bearer","expires_in":3600}`,
			wantErr: errNoAccessToken,
		},
		{
			name:    "an HTML page",
			body:    "<html><body>Sign in</body></html>",
			wantErr: errNoAccessToken,
		},
		{
			name:    "nested token not where the shape says",
			body:    `{"ok":true,"access_token":"xoxb-1"}`,
			shape:   &shared.TokenShape{AccessTokenPath: "authed_user.access_token"},
			wantErr: errNoAccessToken,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := readTokenAnswer([]byte(tt.body), tt.shape, " ")
			if tt.wantErr != nil {
				if !errors.Is(err, tt.wantErr) {
					t.Errorf("readTokenAnswer() error = %v, want %v", err, tt.wantErr)
				}
				return
			}
			var pe *oauthError
			if !errors.As(err, &pe) {
				t.Fatalf("readTokenAnswer() error = %v, want an *oauthError", err)
			}
			if *pe != *tt.wantOAuth {
				t.Errorf("readTokenAnswer() error = %+v, want %+v", *pe, *tt.wantOAuth)
			}
		})
	}
}

// TestTokenAnswerRedacted checks that printing an answer shows no token.
func TestTokenAnswerRedacted(t *testing.T) {
	a := tokenAnswer{AccessToken: "secret-access", RefreshToken: "secret-refresh"}
	if got := a.String(); got != "[token answer redacted]" {
		t.Errorf("String() = %q, want %q", got, "[token answer redacted]")
	}
}

func sameAnswer(a, b tokenAnswer) bool {
	return a.AccessToken == b.AccessToken && a.RefreshToken == b.RefreshToken &&
		a.TokenType == b.TokenType && a.ExpiresIn == b.ExpiresIn &&
		slices.Equal(a.Scopes, b.Scopes) && (a.Scopes == nil) == (b.Scopes == nil) &&
		maps.Equal(a.Metadata, b.Metadata)
}

// describe shows an answer's fields, which String hides; the test values
// are not secrets.
func describe(a tokenAnswer) string {
	type plain tokenAnswer
	return fmt.Sprintf("%+v", plain(a))
}
