package lifecycle

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/plugboard/plugboard/backend/internal/store"
	"github.com/plugboard/plugboard/shared"
)

// authorizeWithParams checks and verifies the values a person gave for a
// Basic Auth or API-key connection, and stores them sealed only when the
// service accepted them. Rejected values leave earlier ones as they were.
func (m *Manager) authorizeWithParams(ctx context.Context, owner string, svc *shared.Service, c shared.Connection, params map[string]string) (shared.Connection, error) {
	// Checking the values sends nothing, so it comes before the limiter:
	// a typo costs no attempt.
	if fe := shared.CheckParamValues(svc, params, false); len(fe) > 0 {
		return c, invalid(fe)
	}
	if err := m.limiter.allow(owner, c.ID); err != nil {
		return c, err
	}
	values := shared.WithDefaults(svc, params, false)

	verified := false
	var detail string
	if svc.Verify != nil {
		status, err := m.sendVerify(ctx, svc, requestValues(svc, c, values), nil)
		if err != nil {
			m.record(ctx, owner, c, shared.EventVerificationFailed, shared.OutcomeFailed, sentence(errorWords(err)))
			return c, err
		}
		if !svc.Verify.Accepts(status) {
			err := rejection(svc, status)
			m.record(ctx, owner, c, shared.EventVerificationFailed, shared.OutcomeFailed, err.Detail)
			return c, err
		}
		verified = true
		detail = fmt.Sprintf(" %s accepted them (HTTP %d).", svc.Name, status)
	} else {
		detail = " " + svc.Name + " defines no verification request, so they were not checked."
	}

	cred, err := m.sealCredential(owner, c.ID, store.KindParams, paramValues(values))
	if err != nil {
		return c, err
	}
	if _, err := m.store.PutCredential(ctx, cred); err != nil {
		return c, err
	}
	cfg := creationConfig(svc, c)
	for _, p := range svc.Params {
		if !p.AtCreation() && !p.Secret && values[p.Name] != "" {
			cfg[p.Name] = values[p.Name]
		}
	}
	now := m.clock()
	set := store.Fields{
		"status":       shared.StatusConnected,
		"config":       cfg,
		"verified":     verified,
		"connected_at": now,
		"last_error":   "",
		"updated_at":   now,
	}
	if verified {
		set["verified_at"] = now
	}
	out, err := m.store.SetConnection(ctx, owner, c.ID, nil, set)
	if err != nil {
		return c, err
	}
	m.record(ctx, owner, c, shared.EventAuthorized, shared.OutcomeOK, "Credentials saved."+detail)
	return out, nil
}

// creationConfig returns the part of a connection's config given when it
// was created. What an earlier authorization added (a user name) is left
// out, so that it cannot outlive the credentials it belonged to.
func creationConfig(svc *shared.Service, c shared.Connection) map[string]string {
	cfg := map[string]string{}
	for k, v := range c.Config {
		if p, ok := svc.Param(k); ok && p.AtCreation() {
			cfg[k] = v
		}
	}
	return cfg
}

// requestValues is what fills a verification request at authorization:
// the values given at creation (placeholders such as an account), then
// those given now.
func requestValues(svc *shared.Service, c shared.Connection, given map[string]string) map[string]string {
	v := creationConfig(svc, c)
	for k, val := range given {
		v[k] = val
	}
	return v
}

// rejection is the error for credentials the service refused.
func rejection(svc *shared.Service, status int) *Error {
	if status == http.StatusUnauthorized || status == http.StatusForbidden {
		names := []string{}
		for _, p := range svc.Params {
			if !p.AtCreation() {
				names = append(names, p.DisplayName)
			}
		}
		return fail(shared.CodeCredentialsRejected,
			"%s rejected these credentials (HTTP %d). Check the %s and try again.",
			svc.Name, status, strings.Join(names, " and "))
	}
	if status >= 300 && status < 400 {
		return fail(shared.CodeProviderError,
			"%s answered the verification request with a redirect (HTTP %d), which is not followed with credentials attached; check the service's addresses.",
			svc.Name, status)
	}
	return fail(shared.CodeProviderError,
		"%s answered the verification request with HTTP %d, which does not say whether the credentials are right.",
		svc.Name, status)
}

// sendVerify sends the service's verification request, its address filled
// from values, with auth adding the credentials (nil: the values
// themselves, the way the service takes them). It returns the status the
// service answered; redirects are not followed.
func (m *Manager) sendVerify(ctx context.Context, svc *shared.Service, values map[string]string, auth func(*http.Request)) (int, error) {
	addr, err := shared.FillURL(svc.VerifyURL(), values)
	if err != nil {
		return 0, fail(shared.CodeValidation, "The verification address cannot be formed: %v.", err)
	}
	req, err := http.NewRequestWithContext(ctx, svc.Verify.Method, addr, nil)
	if err != nil {
		return 0, fail(shared.CodeValidation, "The verification address is not valid.")
	}
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", userAgent)
	setServiceHeaders(req, svc)
	if auth == nil {
		applyCredentials(req, svc, values)
	} else {
		auth(req)
	}
	resp, err := m.out.WithoutRedirects().Do(req)
	if err != nil {
		return 0, upstreamError(err, "Verifying the credentials with "+svc.Name+" failed")
	}
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	resp.Body.Close()
	return resp.StatusCode, nil
}

// Verify checks a connection's stored credentials again with the
// service's verification request and records the outcome and time. For
// OAuth 2.0 it first makes sure the access token is fresh. Credentials
// the service now refuses mean the connection needs re-authorization.
func (m *Manager) Verify(ctx context.Context, owner, ref string) (shared.Connection, error) {
	c, err := m.owned(ctx, owner, ref, verbVerify)
	if err != nil {
		return c, err
	}
	svc, _, err := m.service(ctx, owner, c.ServiceID)
	if err != nil {
		return c, err
	}
	if err := usable(c); err != nil {
		return c, err
	}
	if err := m.limiter.allow(owner, c.ID); err != nil {
		return c, err
	}

	var values map[string]string
	if svc.AuthType == shared.AuthOAuth2 {
		t, err := m.freshTokens(ctx, owner, &svc, c, "")
		if err != nil {
			return c, err
		}
		values = placeholderValues(c)
		if svc.Verify == nil {
			return m.verified(ctx, owner, c, false,
				"The access token is valid; "+svc.Name+" defines no test request, so nothing more was checked.")
		}
		return m.verifyWith(ctx, owner, &svc, c, values, func(req *http.Request) {
			req.Header.Set("Authorization", svc.Scheme()+" "+t.AccessToken)
		})
	}
	secret, err := m.loadParams(ctx, owner, c.ID)
	if errors.Is(err, ErrNotFound) {
		return c, fail(shared.CodeNotConnected, "The connection has no stored credentials; authorize it again.")
	}
	if err != nil {
		return c, err
	}
	values = authValues(c, secret)
	if svc.Verify == nil {
		return m.verified(ctx, owner, c, false,
			svc.Name+" defines no verification request; the credentials were not checked.")
	}
	return m.verifyWith(ctx, owner, &svc, c, values, nil)
}

// verifyWith sends the verification request and records what it showed.
func (m *Manager) verifyWith(ctx context.Context, owner string, svc *shared.Service, c shared.Connection, values map[string]string, auth func(*http.Request)) (shared.Connection, error) {
	status, err := m.sendVerify(ctx, svc, values, auth)
	if err != nil {
		m.record(ctx, owner, c, shared.EventVerificationFailed, shared.OutcomeFailed, sentence(errorWords(err)))
		return c, err
	}
	if svc.Verify.Accepts(status) {
		return m.verified(ctx, owner, c, true, fmt.Sprintf("%s accepted the credentials (HTTP %d).", svc.Name, status))
	}
	words := rejection(svc, status).Detail
	set := store.Fields{"verified": false, "verified_at": m.clock(), "last_error": words, "updated_at": m.clock()}
	if status == http.StatusUnauthorized || status == http.StatusForbidden {
		set["status"] = shared.StatusNeedsReauth
	}
	out, serr := m.store.SetConnection(ctx, owner, c.ID, nil, set)
	if serr != nil {
		return c, serr
	}
	m.record(ctx, owner, c, shared.EventVerificationFailed, shared.OutcomeFailed, words)
	return out, nil
}

// verified records a successful check.
func (m *Manager) verified(ctx context.Context, owner string, c shared.Connection, ok bool, words string) (shared.Connection, error) {
	now := m.clock()
	out, err := m.store.SetConnection(ctx, owner, c.ID, nil, store.Fields{
		"verified": ok, "verified_at": now, "last_error": "", "updated_at": now,
	})
	if err != nil {
		return c, err
	}
	m.record(ctx, owner, c, shared.EventVerified, shared.OutcomeOK, words)
	return out, nil
}
