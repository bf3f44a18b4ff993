package lifecycle

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"time"

	"github.com/cenkalti/backoff/v5"
	"golang.org/x/oauth2"

	"github.com/plugboard/plugboard/backend/internal/audit"
	"github.com/plugboard/plugboard/backend/internal/outbound"
	"github.com/plugboard/plugboard/backend/internal/store"
	"github.com/plugboard/plugboard/shared"
)

// Refresh timing.
const (
	// maxRefreshMargin is how long before expiry a token is refreshed at
	// most; tokens with short lives are refreshed at half their life.
	maxRefreshMargin = time.Minute
	// leaseTTL bounds how long one instance may hold a connection's
	// refresh lease; refreshTimeout keeps a refresh well inside it.
	leaseTTL       = time.Minute
	refreshTimeout = 45 * time.Second
	// waitForPeer is how long a caller waits for another instance's
	// refresh before giving up.
	waitForPeer = 30 * time.Second
)

// Token is an access token handed to code that calls an API itself.
type Token struct {
	AccessToken string    `json:"access_token"`
	TokenType   string    `json:"token_type"`
	ExpiresAt   time.Time `json:"expires_at,omitzero"`
}

// AccessToken returns a valid access token for an OAuth 2.0 connection,
// refreshing it first when it is close to expiry.
func (m *Manager) AccessToken(ctx context.Context, owner, ref string) (Token, error) {
	c, svc, err := m.usableOAuth(ctx, owner, ref)
	if err != nil {
		return Token{}, err
	}
	t, err := m.freshTokens(ctx, owner, svc, c, "")
	if err != nil {
		return Token{}, err
	}
	return Token{AccessToken: t.AccessToken, TokenType: t.TokenType, ExpiresAt: t.Expiry}, nil
}

// usableOAuth finds a connected OAuth 2.0 connection and its service.
func (m *Manager) usableOAuth(ctx context.Context, owner, ref string) (shared.Connection, *shared.Service, error) {
	c, err := m.owned(ctx, owner, ref, verbToken)
	if err != nil {
		return c, nil, err
	}
	svc, _, err := m.service(ctx, owner, c.ServiceID)
	if err != nil {
		return c, nil, err
	}
	if svc.AuthType != shared.AuthOAuth2 {
		return c, nil, fail(shared.CodeWrongAuthType,
			"%s uses %s; only OAuth 2.0 connections have access tokens.", svc.Name, svc.AuthType.Label())
	}
	if err := usable(c); err != nil {
		return c, nil, err
	}
	return c, &svc, nil
}

// usable says what the person must do before a connection can be used.
func usable(c shared.Connection) error {
	switch c.Status {
	case shared.StatusConnected:
		return nil
	case shared.StatusNeedsReauth:
		e := fail(shared.CodeNeedsReauth, "The connection %q needs to be authorized again.", c.LinkName)
		if c.LastError != "" {
			e.Detail += " " + c.LastError
		}
		return e
	case shared.StatusRevoked:
		return fail(shared.CodeNotConnected, "The connection %q was revoked; authorize it again to use it.", c.LinkName)
	}
	return fail(shared.CodeNotConnected, "The connection %q has not been authorized yet; authorize it first.", c.LinkName)
}

// fresh reports whether t can be used now without a refresh.
func fresh(t tokens, now time.Time) bool {
	if t.Expiry.IsZero() {
		return true
	}
	margin := maxRefreshMargin
	if life := t.Expiry.Sub(t.Issued); !t.Issued.IsZero() && life > 0 && life/2 < margin {
		margin = life / 2
	}
	return now.Add(margin).Before(t.Expiry)
}

// freshTokens returns the connection's tokens, refreshed when close to
// expiry, or when rejected is the access token a provider just refused
// and it is still the stored one.
func (m *Manager) freshTokens(ctx context.Context, owner string, svc *shared.Service, c shared.Connection, rejected string) (tokens, error) {
	t, cred, err := m.loadTokens(ctx, owner, c.ID)
	if errors.Is(err, ErrNotFound) {
		return tokens{}, fail(shared.CodeNotConnected, "The connection %q has no stored tokens; authorize it again.", c.LinkName)
	}
	if err != nil {
		return tokens{}, err
	}
	if rejected == "" && fresh(t, m.clock()) {
		return t, nil
	}
	if rejected != "" && rejected != t.AccessToken {
		return t, nil // someone already replaced the rejected token
	}

	// One refresh per connection in this process; the lease below makes
	// it one across processes.
	v, err, _ := m.flight.Do(c.ID, func() (any, error) {
		rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), refreshTimeout)
		defer cancel()
		return m.refreshOnce(rctx, owner, svc, c, cred.Version)
	})
	if err != nil {
		return tokens{}, err
	}
	return v.(tokens), nil
}

// refreshOnce refreshes the tokens unless another instance does it first.
// seen is the credential version the caller found stale: a newer version
// means someone else has refreshed (or re-authorized) meanwhile.
func (m *Manager) refreshOnce(ctx context.Context, owner string, svc *shared.Service, c shared.Connection, seen int64) (tokens, error) {
	lease := "refresh:" + c.ID
	holder := m.instance + ":" + randomString(8)
	deadline := m.now().Add(waitForPeer)
	for wait := 20 * time.Millisecond; ; wait = min(wait*2, 250*time.Millisecond) {
		t, cred, err := m.loadTokens(ctx, owner, c.ID)
		if err != nil {
			return tokens{}, err
		}
		if cred.Version != seen && !expired(t, m.clock()) {
			return t, nil
		}
		got, err := m.store.AcquireLease(ctx, lease, holder, m.clock(), leaseTTL)
		if err != nil {
			return tokens{}, err
		}
		if got {
			defer func() {
				if err := m.store.ReleaseLease(context.WithoutCancel(ctx), lease, holder); err != nil {
					m.log.ErrorContext(ctx, "release refresh lease", "connection", c.ID, "err", err)
				}
			}()
			// Read again under the lease: a peer may have finished
			// between the read above and taking the lease.
			t, cred, err = m.loadTokens(ctx, owner, c.ID)
			if err != nil {
				return tokens{}, err
			}
			if cred.Version != seen && !expired(t, m.clock()) {
				return t, nil
			}
			return m.refresh(ctx, owner, svc, c, t, cred)
		}
		if m.now().After(deadline) {
			return tokens{}, fail(shared.CodeUnavailable,
				"Another server is refreshing this connection's token; try again shortly.")
		}
		select {
		case <-ctx.Done():
			return tokens{}, ctx.Err()
		case <-time.After(wait):
		}
	}
}

// errLeaseHeld: another holder has the lease; poll again.
var errLeaseHeld = errors.New("lease held by another")

// withTokenLease runs fn while holding the connection's refresh lease, so
// that fn (storing a new grant, revoking one) never interleaves with a
// refresh on any instance: a refresh that started first finishes first,
// and one that starts later reads what fn stored. FerretDB checks a
// credential's version apart from writing it, so this lease, not the
// version, is what keeps a refresh from overwriting a new grant.
func (m *Manager) withTokenLease(ctx context.Context, connID string, fn func() error) error {
	lease := "refresh:" + connID
	holder := m.instance + ":" + randomString(8)
	poll := backoff.NewExponentialBackOff()
	poll.InitialInterval, poll.MaxInterval = 20*time.Millisecond, 250*time.Millisecond
	_, err := backoff.Retry(ctx, func() (bool, error) {
		got, err := m.store.AcquireLease(ctx, lease, holder, m.clock(), leaseTTL)
		switch {
		case err != nil:
			return false, backoff.Permanent(err)
		case !got:
			return false, errLeaseHeld
		}
		return true, nil
	}, backoff.WithBackOff(poll), backoff.WithMaxElapsedTime(waitForPeer))
	if errors.Is(err, errLeaseHeld) {
		return fail(shared.CodeUnavailable, "The connection's token is being refreshed; try again shortly.")
	}
	if err != nil {
		return err
	}
	defer func() {
		if err := m.store.ReleaseLease(context.WithoutCancel(ctx), lease, holder); err != nil {
			m.log.ErrorContext(ctx, "release refresh lease", "connection", connID, "err", err)
		}
	}()
	return fn()
}

func expired(t tokens, now time.Time) bool {
	return !t.Expiry.IsZero() && !now.Before(t.Expiry)
}

// refresh asks the provider for new tokens (RFC 6749 section 6) and
// stores them before anyone uses them, so a provider that rotates refresh
// tokens never sees an old one again.
func (m *Manager) refresh(ctx context.Context, owner string, svc *shared.Service, c shared.Connection, t tokens, cred store.Credential) (tokens, error) {
	ctx = audit.WithActor(ctx, audit.System)
	if t.RefreshToken == "" {
		msg := "The access token expired and " + svc.Name + " gave no refresh token; authorize the connection again."
		return tokens{}, m.needsReauth(ctx, owner, c, msg)
	}
	cfg, err := m.oauthConfig(svc, c)
	if err != nil {
		return tokens{}, err
	}

	ans, err := backoff.Retry(ctx, func() (tokenAnswer, error) {
		// The service's extra token parameters go with refreshes too.
		a, err := m.tokenRequest(ctx, svc, svc.TokenParams, func(ctx context.Context) error {
			_, err := cfg.TokenSource(ctx, &oauth2.Token{RefreshToken: t.RefreshToken}).Token()
			return err
		})
		if err != nil && !retryable(err) {
			return a, backoff.Permanent(err)
		}
		return a, err
	}, backoff.WithBackOff(backoff.NewExponentialBackOff()), backoff.WithMaxTries(3),
		backoff.WithMaxElapsedTime(15*time.Second))
	if err != nil {
		return tokens{}, m.refreshFailed(ctx, owner, svc, c, err)
	}

	now := m.clock()
	next := tokens{AccessToken: ans.AccessToken, RefreshToken: ans.RefreshToken, TokenType: ans.TokenType, Issued: now}
	if next.RefreshToken == "" {
		// RFC 6749 section 6: the provider may keep the refresh token.
		next.RefreshToken = t.RefreshToken
	}
	if ans.ExpiresIn > 0 {
		next.Expiry = now.Add(ans.ExpiresIn)
	}
	sealed, err := m.sealCredential(owner, c.ID, store.KindOAuth2, next)
	if err != nil {
		return tokens{}, err
	}
	sealed.Version = cred.Version
	if _, err := m.store.SwapCredential(ctx, sealed); err != nil {
		if errors.Is(err, store.ErrConflict) {
			// Only a writer that bypasses the lease (a re-seal) gets here.
			return tokens{}, fail(shared.CodeUnavailable,
				"The connection's credentials changed while its token was refreshed; try again.")
		}
		return tokens{}, fmt.Errorf("store refreshed tokens: %w", err)
	}

	set := store.Fields{"token_expires_at": next.Expiry, "last_error": "", "updated_at": now}
	if ans.Scopes != nil {
		set["granted_scopes"] = ans.Scopes
	}
	if len(ans.Metadata) > 0 {
		md := maps.Clone(c.Metadata)
		if md == nil {
			md = map[string]string{}
		}
		maps.Copy(md, ans.Metadata)
		set["metadata"] = md
	}
	if _, err := m.store.SetConnection(ctx, owner, c.ID, nil, set); err != nil {
		m.log.ErrorContext(ctx, "record refreshed expiry", "connection", c.ID, "err", err)
	}
	m.record(ctx, owner, c, shared.EventRefreshed, shared.OutcomeOK, "Access token refreshed.")
	return next, nil
}

// retryable tells whether a failed refresh may be sent again. Only
// failures where the provider cannot have used the refresh token are:
// no connection made, or a 5xx or 429 answer. A timeout is not retried,
// since the provider may have rotated the token and a second request
// with the old one would make it revoke the whole grant.
func retryable(err error) bool {
	var se *statusError
	var te *transportError
	switch {
	case errors.As(err, &se):
		return providerFailing(se.status)
	case errors.As(err, &te):
		return outbound.IsUnreachable(te.err)
	}
	return false
}

// transientOAuthError lists the error codes that say "try later". Every
// other error object a token endpoint answers to a refresh (RFC 6749
// section 5.2's invalid_grant, invalid_client, unauthorized_client,
// invalid_scope..., or a provider's own such as GitHub's
// bad_refresh_token) means the grant cannot be used as it is, and only the
// person can fix that by authorizing again.
var transientOAuthError = map[string]bool{
	"server_error":            true,
	"temporarily_unavailable": true,
	"slow_down":               true,
}

// refreshFailed records a failed refresh. A refused grant means the
// person must authorize again; anything else leaves the connection
// connected for the next attempt.
func (m *Manager) refreshFailed(ctx context.Context, owner string, svc *shared.Service, c shared.Connection, err error) error {
	words := sentence("Refreshing the access token at " + svc.Name + " failed: " + errorWords(err))
	var pe *oauthError
	var se *statusError
	if errors.As(err, &pe) && !errors.As(err, &se) && !transientOAuthError[pe.Code] {
		return m.needsReauth(ctx, owner, c, words+" Authorize the connection again.")
	}
	m.record(ctx, owner, c, shared.EventRefreshFailed, shared.OutcomeFailed, words)
	var te *transportError
	if errors.As(err, &te) {
		return upstreamError(te.err, "Refreshing the access token failed")
	}
	return &Error{Code: shared.CodeProviderError, Detail: words, Err: err}
}

// needsReauth marks a connection as needing a new authorization.
func (m *Manager) needsReauth(ctx context.Context, owner string, c shared.Connection, words string) error {
	_, err := m.store.SetConnection(ctx, owner, c.ID, nil, store.Fields{
		"status": shared.StatusNeedsReauth, "last_error": words, "updated_at": m.clock(),
	})
	if err != nil {
		return err
	}
	m.record(ctx, owner, c, shared.EventRefreshFailed, shared.OutcomeFailed, words)
	return fail(shared.CodeNeedsReauth, "%s", words)
}
