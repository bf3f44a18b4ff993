package lifecycle

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"

	"github.com/plugboard/plugboard/backend/internal/store"
	"github.com/plugboard/plugboard/shared"
)

// Revoke ends a connection's authorization. For OAuth 2.0 it asks the
// provider to revoke the refresh and access tokens (RFC 7009); whatever
// the provider answers, the stored credentials are deleted, the answer is
// recorded, and the connection is marked revoked. It stays listed and can
// be authorized again.
func (m *Manager) Revoke(ctx context.Context, owner, ref string) (shared.Connection, error) {
	c, err := m.owned(ctx, owner, ref, verbRevoke)
	if err != nil {
		return shared.Connection{}, err
	}
	switch c.Status {
	case shared.StatusRevoked:
		return c, nil
	case shared.StatusPending:
		return shared.Connection{}, fail(shared.CodeWrongStatus,
			"This connection has not been authorized yet, so there is nothing to revoke.")
	}
	svc, _, err := m.service(ctx, owner, c.ServiceID)
	if err != nil {
		return shared.Connection{}, err
	}

	detail := "Stored credentials deleted."
	// Under the refresh lease, no refresh can rotate the tokens between
	// their revocation at the provider and their deletion here.
	err = m.withTokenLease(ctx, c.ID, func() error {
		if svc.AuthType == shared.AuthOAuth2 {
			detail = m.revokeAtProvider(ctx, owner, &svc, c) + " " + detail
		}
		return m.store.DeleteCredential(ctx, owner, c.ID)
	})
	if err != nil {
		return shared.Connection{}, err
	}
	cfg := map[string]string{}
	for k, v := range c.Config {
		if p, ok := svc.Param(k); ok && p.AtCreation() {
			cfg[k] = v
		}
	}
	out, err := m.store.SetConnection(ctx, owner, c.ID, nil, store.Fields{
		"status":           shared.StatusRevoked,
		"granted_scopes":   []string{},
		"config":           cfg,
		"metadata":         map[string]string{},
		"verified":         false,
		"token_expires_at": zeroTime,
		"last_error":       "",
		"updated_at":       m.clock(),
	})
	if errors.Is(err, store.ErrNotFound) {
		return shared.Connection{}, notFound("connection")
	}
	if err != nil {
		return shared.Connection{}, err
	}
	m.record(ctx, owner, c, shared.EventRevoked, shared.OutcomeOK, detail)
	return out, nil
}

// revokeAtProvider sends RFC 7009 revocation requests for the stored
// refresh token, then the access token, and says in words how the
// provider answered. Revoking the refresh token first matters: at many
// providers that also ends the access tokens issued from it.
func (m *Manager) revokeAtProvider(ctx context.Context, owner string, svc *shared.Service, c shared.Connection) string {
	if svc.RevocationURL == "" {
		return "The service has no revocation endpoint; the grant may remain valid at the provider until it expires."
	}
	t, _, err := m.loadTokens(ctx, owner, c.ID)
	if errors.Is(err, ErrNotFound) {
		return "No tokens were stored."
	}
	if err != nil {
		return "The stored tokens could not be read."
	}
	endpoint, err := shared.FillURL(svc.RevocationURL, placeholderValues(c))
	if err != nil {
		return "The revocation address could not be formed: " + err.Error() + "."
	}
	var parts []string
	for _, tok := range []struct{ value, hint string }{
		{t.RefreshToken, "refresh_token"},
		{t.AccessToken, "access_token"},
	} {
		if tok.value == "" {
			continue
		}
		if err := m.revokeToken(ctx, svc, endpoint, tok.value, tok.hint); err != nil {
			parts = append(parts, sentence(fmt.Sprintf("Revoking the %s failed: %v", strings.ReplaceAll(tok.hint, "_", " "), err)))
			continue
		}
		parts = append(parts, fmt.Sprintf("The provider revoked the %s.", strings.ReplaceAll(tok.hint, "_", " ")))
	}
	return strings.Join(parts, " ")
}

// revokeToken sends one RFC 7009 revocation request, authenticating the
// client the same way as at the token endpoint. Section 2.2: 200 means
// revoked (or already invalid).
func (m *Manager) revokeToken(ctx context.Context, svc *shared.Service, endpoint, token, hint string) error {
	form := url.Values{"token": {token}, "token_type_hint": {hint}}
	if svc.TokenAuthStyle == shared.TokenAuthBody {
		form.Set("client_id", svc.ClientID)
		if svc.ClientSecret != "" {
			form.Set("client_secret", svc.ClientSecret)
		}
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, endpoint, strings.NewReader(form.Encode()))
	if err != nil {
		return fmt.Errorf("build request: %w", err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", userAgent)
	if svc.TokenAuthStyle != shared.TokenAuthBody {
		// RFC 6749 section 2.3.1: id and secret are form-encoded before
		// they are joined for Basic authentication.
		req.SetBasicAuth(url.QueryEscape(svc.ClientID), url.QueryEscape(svc.ClientSecret))
	}
	resp, err := m.out.Do(req)
	if err != nil {
		return errors.New(describeOutboundError(err))
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	if resp.StatusCode == http.StatusOK {
		return nil
	}
	if pe := parseOAuthError(body); pe != nil {
		return fmt.Errorf("the provider answered %d: %s", resp.StatusCode, pe.words())
	}
	return fmt.Errorf("the provider answered %d", resp.StatusCode)
}

// placeholderValues is what fills a connection's URL placeholders: its
// config, then its token metadata.
func placeholderValues(c shared.Connection) map[string]string {
	v := make(map[string]string, len(c.Config)+len(c.Metadata))
	for k, val := range c.Config {
		v[k] = val
	}
	for k, val := range c.Metadata {
		v[k] = val
	}
	return v
}
