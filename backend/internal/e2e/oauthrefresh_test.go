package e2e

import (
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/plugboard/plugboard/shared"
)

// oauthFakeLife is the lifetime of the tokens the fake provider issues
// when a refresh should soon be due.
const oauthFakeLife = time.Second

// refreshed is a successful refresh answer with a long-lived token.
var refreshed = oauthFakeAnswer{Status: 200, ContentType: ctJSON,
	Body: `{"access_token":"{at1}","refresh_token":"{rt1}","expires_in":3600}`}

// TestOAuthRefreshAnswers refreshes against provider answers that real
// providers send. In the bodies, {atN} and {rtN} are the access and
// refresh tokens of the Nth grant: 0 from the code, 1 from the first
// refresh, and so on.
func TestOAuthRefreshAnswers(t *testing.T) {
	secrets := newOAuthSecrets()
	pb := oauthStart(t, secrets)
	tests := []struct {
		name string
		// answers are the token endpoint's answers to the refreshes, in
		// turn; rounds is how many times the token is asked for, each
		// time once it is due for a refresh.
		answers []oauthFakeAnswer
		rounds  int
		// gone closes the provider before the refresh.
		gone bool
		// wantTokens are the access tokens handed out in the rounds;
		// wantSent the refresh tokens sent, in order.
		wantTokens []string
		wantSent   []string
		wantCode   shared.Code
		wantStatus shared.Status
		wantError  string
		// params are the service's extra token parameters, which every
		// refresh must carry too.
		params map[string]string
	}{
		{
			name: "token parameters go with every refresh",
			answers: []oauthFakeAnswer{
				{Status: 200, ContentType: ctJSON,
					Body: `{"access_token":"{at1}","refresh_token":"{rt1}","expires_in":1}`},
				{Status: 200, ContentType: ctJSON,
					Body: `{"access_token":"{at2}","expires_in":3600}`},
			},
			rounds:     2,
			wantTokens: []string{"{at1}", "{at2}"},
			wantSent:   []string{"{rt0}", "{rt1}"},
			wantStatus: shared.StatusConnected,
			params:     map[string]string{"audience": "https://api.example.com"},
		},
		{
			name: "answer without a refresh token keeps the old one",
			answers: []oauthFakeAnswer{
				{Status: 200, ContentType: ctJSON,
					Body: `{"access_token":"{at1}","token_type":"Bearer","expires_in":1}`},
				{Status: 200, ContentType: ctJSON,
					Body: `{"access_token":"{at2}","token_type":"Bearer","expires_in":3600}`},
			},
			rounds:     2,
			wantTokens: []string{"{at1}", "{at2}"},
			wantSent:   []string{"{rt0}", "{rt0}"},
			wantStatus: shared.StatusConnected,
		},
		{
			name: "a rotated refresh token is the one sent next",
			answers: []oauthFakeAnswer{
				{Status: 200, ContentType: ctJSON,
					Body: `{"access_token":"{at1}","refresh_token":"{rt1}","expires_in":1}`},
				{Status: 200, ContentType: ctForm, Body: "access_token={at2}&refresh_token={rt2}&expires_in=3600"},
			},
			rounds:     2,
			wantTokens: []string{"{at1}", "{at2}"},
			wantSent:   []string{"{rt0}", "{rt1}"},
			wantStatus: shared.StatusConnected,
		},
		{
			name: "503 page retried",
			answers: []oauthFakeAnswer{
				{Status: 503, ContentType: "text/html", Body: "<html>Service Unavailable</html>"},
				refreshed,
			},
			rounds:     1,
			wantTokens: []string{"{at1}"},
			wantSent:   []string{"{rt0}", "{rt0}"},
			wantStatus: shared.StatusConnected,
		},
		{
			name: "503 with an RFC 6749 error retried",
			answers: []oauthFakeAnswer{
				{Status: 503, ContentType: ctJSON, Body: `{"error":"temporarily_unavailable"}`},
				refreshed,
			},
			rounds:     1,
			wantTokens: []string{"{at1}"},
			wantSent:   []string{"{rt0}", "{rt0}"},
			wantStatus: shared.StatusConnected,
		},
		{
			name: "5xx every time leaves the connection connected",
			answers: []oauthFakeAnswer{
				{Status: 500, ContentType: ctJSON, Body: `{"error":"server_error"}`},
				{Status: 502, ContentType: "text/html", Body: "<html>Bad Gateway</html>"},
				{Status: 500, ContentType: ctJSON, Body: `{"error":"server_error"}`},
			},
			rounds:     1,
			wantSent:   []string{"{rt0}", "{rt0}", "{rt0}"},
			wantCode:   shared.CodeProviderError,
			wantStatus: shared.StatusConnected,
		},
		{
			name:       "provider unreachable leaves the connection connected",
			gone:       true,
			rounds:     1,
			wantCode:   shared.CodeUpstreamUnreachable,
			wantStatus: shared.StatusConnected,
		},
		{
			name: "invalid_grant needs a new authorization",
			answers: []oauthFakeAnswer{
				{Status: 400, ContentType: ctJSON,
					Body: `{"error":"invalid_grant","error_description":"Token has been expired or revoked."}`},
			},
			rounds:     1,
			wantSent:   []string{"{rt0}"},
			wantCode:   shared.CodeNeedsReauth,
			wantStatus: shared.StatusNeedsReauth,
			wantError:  "Token has been expired or revoked.",
		},
		{
			// GitHub answers a dead refresh token with 200 and an error
			// object of its own naming.
			name: "a provider's own error code in a 200 needs a new authorization",
			answers: []oauthFakeAnswer{
				{Status: 200, ContentType: ctJSON,
					Body: `{"error":"bad_refresh_token","error_description":"The refresh token passed is incorrect or expired."}`},
			},
			rounds:     1,
			wantSent:   []string{"{rt0}"},
			wantCode:   shared.CodeNeedsReauth,
			wantStatus: shared.StatusNeedsReauth,
			wantError:  "The refresh token passed is incorrect or expired.",
		},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// Each case has its own provider and connection; running them
			// at once overlaps their waits for the tokens to age.
			t.Parallel()
			fake := oauthNewFake(t, secrets)
			pairs := []string{}
			for n := range 3 {
				at, rt := oauthRandom("at-"), oauthRandom("rt-")
				secrets.add("access token issued", at)
				secrets.add("refresh token issued", rt)
				pairs = append(pairs, "{at"+string(rune('0'+n))+"}", at, "{rt"+string(rune('0'+n))+"}", rt)
			}
			fill := strings.NewReplacer(pairs...).Replace
			fake.queue(oauthFakeAnswer{Status: 200, ContentType: ctJSON,
				Body: fill(`{"access_token":"{at0}","refresh_token":"{rt0}","token_type":"bearer","expires_in":1}`)})
			for _, a := range tt.answers {
				a.Body = fill(a.Body)
				fake.queue(a)
			}
			svc := oauthFakeService("refresh-"+string(rune('a'+i)), fake)
			svc.TokenParams = tt.params
			c, _ := oauthFakeConnect(t, pb, secrets, svc)
			if c.Status != shared.StatusConnected {
				t.Fatalf("status = %s (%s), want connected", c.Status, c.LastError)
			}

			if tt.gone {
				fake.Close()
			}
			var got []string
			var err error
			for range tt.rounds {
				oauthSleepUntilStale(c.TokenExpiresAt, oauthFakeLife)
				tok, terr := pb.api.Token(t.Context(), c.ID)
				if err = terr; err != nil {
					break
				}
				got = append(got, tok.AccessToken)
				next, gerr := pb.api.GetConnection(t.Context(), c.ID)
				if gerr != nil {
					t.Fatalf("get connection: %v", gerr)
				}
				c = *next
			}

			if tt.wantCode != "" {
				oauthWantProblem(t, err, tt.wantCode)
			} else if err != nil {
				t.Fatalf("get token: %v", err)
			}
			var want []string
			for _, w := range tt.wantTokens {
				want = append(want, fill(w))
			}
			if !slices.Equal(got, want) {
				t.Errorf("access tokens handed out = %q, want %q", got, want)
			}
			var sent []string
			for _, r := range fake.tokenRequests("refresh_token") {
				sent = append(sent, r.Form.Get("refresh_token"))
				if tt.params != nil && r.Form.Get("audience") != tt.params["audience"] {
					t.Errorf("refresh sent audience %q, want %q", r.Form.Get("audience"), tt.params["audience"])
				}
			}
			want = nil
			for _, w := range tt.wantSent {
				want = append(want, fill(w))
			}
			if !slices.Equal(sent, want) {
				t.Errorf("refresh tokens sent = %q, want %q", sent, want)
			}
			after, gerr := pb.api.GetConnection(t.Context(), c.ID)
			if gerr != nil {
				t.Fatalf("get connection: %v", gerr)
			}
			if after.Status != tt.wantStatus || !strings.Contains(after.LastError, tt.wantError) {
				t.Errorf("connection = %s %q, want %s with an error containing %q",
					after.Status, after.LastError, tt.wantStatus, tt.wantError)
			}
			if strings.Contains(after.LastError, "..") {
				t.Errorf("last_error %q has a doubled period", after.LastError)
			}
		})
	}
}

// TestOAuthRevokeAnswers revokes connections at providers that answer
// RFC 7009 requests in different ways: the stored tokens are deleted
// and the connection is revoked whatever they answer, and the answer is
// kept in the history.
func TestOAuthRevokeAnswers(t *testing.T) {
	secrets := newOAuthSecrets()
	pb := oauthStart(t, secrets)
	db := oauthDB(t, pb.srv.MongoURI())
	elsewhere := oauthNewFake(t, secrets)
	tests := []struct {
		name   string
		body   bool
		answer oauthFakeAnswer
		// gone closes the provider before the revocation.
		gone bool
		// wantRequests is how many revocation requests must arrive.
		wantRequests int
		wantDetail   string
	}{
		{
			name:         "revoked, secret in the Basic header",
			wantRequests: 2,
			wantDetail: "The provider revoked the refresh token. " +
				"The provider revoked the access token. Stored credentials deleted.",
		},
		{
			name:         "revoked, secret in the body",
			body:         true,
			wantRequests: 2,
			wantDetail:   "The provider revoked the refresh token. The provider revoked the access token.",
		},
		{
			name: "unsupported token type",
			answer: oauthFakeAnswer{Status: 400, ContentType: ctJSON,
				Body: `{"error":"unsupported_token_type","error_description":"Only refresh tokens."}`},
			wantRequests: 2,
			wantDetail: "Revoking the refresh token failed: " +
				"the provider answered 400: unsupported_token_type: Only refresh tokens.",
		},
		{
			name: "provider failing",
			answer: oauthFakeAnswer{Status: 503, ContentType: "text/html",
				Body: "<html>Unavailable</html>"},
			wantRequests: 2,
			wantDetail:   "Revoking the access token failed: the provider answered 503.",
		},
		{
			name:         "redirect elsewhere not followed",
			answer:       oauthFakeAnswer{Status: 307, Location: elsewhere.URL + "/revoke"},
			wantRequests: 2,
			wantDetail:   "Revoking the refresh token failed: the provider answered 307.",
		},
		{
			name:       "provider unreachable",
			gone:       true,
			wantDetail: "Revoking the refresh token failed: the service could not be reached.",
		},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fake := oauthNewFake(t, secrets)
			at, rt := oauthRandom("at-"), oauthRandom("rt-")
			secrets.add("access token issued", at)
			secrets.add("refresh token issued", rt)
			fake.queue(oauthFakeAnswer{Status: 200, ContentType: ctJSON,
				Body: `{"access_token":"` + at + `","refresh_token":"` + rt + `","expires_in":3600}`})
			fake.setRevoke(tt.answer)
			svc := oauthFakeService("revoke-"+string(rune('a'+i)), fake)
			if tt.body {
				svc.TokenAuthStyle = shared.TokenAuthBody
			}
			c, _ := oauthFakeConnect(t, pb, secrets, svc)
			if c.Status != shared.StatusConnected {
				t.Fatalf("status = %s (%s), want connected", c.Status, c.LastError)
			}
			if tt.gone {
				fake.Close()
			}

			got, err := pb.api.Revoke(t.Context(), c.ID)

			if err != nil {
				t.Fatalf("revoke: %v", err)
			}
			if got.Status != shared.StatusRevoked {
				t.Errorf("status = %s, want revoked", got.Status)
			}
			_, err = pb.api.Token(t.Context(), c.ID)
			oauthWantProblem(t, err, shared.CodeNotConnected)
			n, err := db.Collection("credentials").CountDocuments(t.Context(), bson.D{{Key: "_id", Value: c.ID}})
			if err != nil || n != 0 {
				t.Errorf("credentials stored after revoke = %d (%v), want 0", n, err)
			}
			events, err := pb.api.Events(t.Context(), c.ID)
			if err != nil {
				t.Fatalf("events: %v", err)
			}
			if len(events) == 0 || events[0].Type != shared.EventRevoked ||
				!strings.Contains(events[0].Detail, tt.wantDetail) {
				t.Errorf("newest event = %+v, want revoked with a detail containing %q", events[0], tt.wantDetail)
			}

			reqs := fake.revocations()
			if len(reqs) != tt.wantRequests {
				t.Fatalf("revocation requests = %d, want %d", len(reqs), tt.wantRequests)
			}
			if n := len(elsewhere.revocations()); n != 0 {
				t.Errorf("a redirect sent %d revocation requests to another server, want 0", n)
			}
			for j, want := range [][2]string{{rt, "refresh_token"}, {at, "access_token"}}[:len(reqs)] {
				r := reqs[j]
				if r.Form.Get("token") != want[0] || r.Form.Get("token_type_hint") != want[1] {
					t.Errorf("revocation %d: hint %q, want the %s with hint %q",
						j, r.Form.Get("token_type_hint"), want[1], want[1])
				}
				user, pass, basic := (&http.Request{Header: r.Header}).BasicAuth()
				inBody := r.Form.Get("client_id") == svc.ClientID && r.Form.Get("client_secret") == svc.ClientSecret
				headerOK := basic && user == svc.ClientID && pass == svc.ClientSecret
				if tt.body != inBody || tt.body == headerOK {
					t.Errorf("revocation %d: client in body %v, in Basic header %v; want the token endpoint's style",
						j, inBody, headerOK)
				}
			}
		})
	}
}
