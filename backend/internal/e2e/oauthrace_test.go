package e2e

import (
	"strings"
	"testing"
	"time"

	"github.com/plugboard/plugboard/shared"
)

// slowRefresh is how long the provider takes to answer the refresh in
// the race tests: long enough for the other request to start meanwhile.
const slowRefresh = 1500 * time.Millisecond

// TestOAuthRevokeDuringRefresh revokes a connection while a refresh of
// its tokens is under way. The revocation waits for the refresh, so it
// revokes the rotated refresh token the provider just issued, not the
// old one; otherwise a live grant would be left at the provider with no
// copy at Plugboard to revoke it by.
func TestOAuthRevokeDuringRefresh(t *testing.T) {
	secrets := newOAuthSecrets()
	pb := oauthStart(t, secrets)
	fake := oauthNewFake(t, secrets)
	rt0, rt1 := oauthRandom("rt0-"), oauthRandom("rt1-")
	secrets.add("refresh token", rt0)
	secrets.add("refresh token", rt1)
	fake.queue(
		oauthFakeAnswer{Status: 200, ContentType: ctJSON,
			Body: `{"access_token":"` + oauthRandom("at0-") + `","refresh_token":"` + rt0 + `","expires_in":1}`},
		oauthFakeAnswer{Status: 200, ContentType: ctJSON, Delay: slowRefresh,
			Body: `{"access_token":"` + oauthRandom("at1-") + `","refresh_token":"` + rt1 + `","expires_in":3600}`},
	)
	c, _ := oauthFakeConnect(t, pb, secrets, oauthFakeService("race-revoke", fake))
	oauthSleepUntilStale(c.TokenExpiresAt, oauthFakeLife)

	refreshed := make(chan error, 1)
	go func() {
		_, err := pb.api.Token(t.Context(), c.ID)
		refreshed <- err
	}()
	waitForTokenRequests(t, fake, "refresh_token", 1)
	revoked, err := pb.api.Revoke(t.Context(), c.ID)
	if err != nil {
		t.Fatalf("revoke: %v", err)
	}
	if err := <-refreshed; err != nil {
		t.Errorf("the refresh that was under way failed: %v", err)
	}

	if revoked.Status != shared.StatusRevoked {
		t.Errorf("status = %s, want revoked", revoked.Status)
	}
	var sent []string
	for _, r := range fake.revocations() {
		sent = append(sent, r.Form.Get("token"))
	}
	if len(sent) == 0 || !strings.Contains(strings.Join(sent, " "), rt1) {
		t.Errorf("revoked %q, want the rotated refresh token %q among them", sent, rt1)
	}
	if _, err := pb.api.Token(t.Context(), c.ID); err == nil {
		t.Errorf("a token was handed out after the revocation, want none")
	}
}

// waitForTokenRequests waits until the fake provider has received n
// token requests of a grant type.
func waitForTokenRequests(t *testing.T, fake *oauthFake, grantType string, n int) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for len(fake.tokenRequests(grantType)) < n {
		if time.Now().After(deadline) {
			t.Fatalf("the provider got %d %s requests, want %d", len(fake.tokenRequests(grantType)), grantType, n)
		}
		time.Sleep(10 * time.Millisecond)
	}
}
