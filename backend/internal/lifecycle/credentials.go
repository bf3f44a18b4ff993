package lifecycle

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/plugboard/plugboard/backend/internal/store"
)

// tokens is what an OAuth 2.0 connection keeps sealed. Its JSON form is
// only ever sealed; printing or logging it shows nothing secret.
type tokens struct {
	AccessToken  string    `json:"access_token"`
	RefreshToken string    `json:"refresh_token,omitempty"`
	TokenType    string    `json:"token_type,omitempty"`
	Expiry       time.Time `json:"expiry,omitzero"`
	// Issued is when these tokens were received; fresh uses it to tell
	// a short-lived token from a long-lived one.
	Issued time.Time `json:"issued,omitzero"`
}

func (tokens) String() string               { return "[tokens redacted]" }
func (t tokens) GoString() string           { return t.String() }
func (t tokens) Format(f fmt.State, _ rune) { _, _ = f.Write([]byte(t.String())) }
func (t tokens) LogValue() slog.Value       { return slog.StringValue(t.String()) }

// paramValues is what a Basic Auth or API-key connection keeps sealed:
// the values given at authorization, by actual parameter name. Like
// tokens, it cannot be printed.
type paramValues map[string]string

func (paramValues) String() string               { return "[parameters redacted]" }
func (p paramValues) GoString() string           { return p.String() }
func (p paramValues) Format(f fmt.State, _ rune) { _, _ = f.Write([]byte(p.String())) }
func (p paramValues) LogValue() slog.Value       { return slog.StringValue(p.String()) }

func credentialAAD(owner, connID, kind string) string {
	return "credential:" + owner + "/" + connID + ":" + kind
}

// loadTokens opens an OAuth 2.0 connection's tokens; ErrNotFound when it
// has none.
func (m *Manager) loadTokens(ctx context.Context, owner, connID string) (tokens, store.Credential, error) {
	var t tokens
	cred, err := m.store.GetCredential(ctx, owner, connID)
	if errors.Is(err, store.ErrNotFound) {
		return t, cred, ErrNotFound
	}
	if err != nil {
		return t, cred, err
	}
	if cred.Kind != store.KindOAuth2 {
		return t, cred, fmt.Errorf("credential of %s is %s, not oauth2", connID, cred.Kind)
	}
	if err := m.keys.OpenJSON(cred.Sealed, credentialAAD(owner, connID, cred.Kind), &t); err != nil {
		return t, cred, fmt.Errorf("open tokens: %w", err)
	}
	return t, cred, nil
}

// loadParams opens a Basic Auth or API-key connection's values.
func (m *Manager) loadParams(ctx context.Context, owner, connID string) (paramValues, error) {
	cred, err := m.store.GetCredential(ctx, owner, connID)
	if errors.Is(err, store.ErrNotFound) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, err
	}
	var v paramValues
	if err := m.keys.OpenJSON(cred.Sealed, credentialAAD(owner, connID, cred.Kind), &v); err != nil {
		return nil, fmt.Errorf("open parameters: %w", err)
	}
	return v, nil
}

// sealCredential seals v as a connection's credential of the given kind.
func (m *Manager) sealCredential(owner, connID, kind string, v any) (store.Credential, error) {
	sealed, err := m.keys.SealJSON(v, credentialAAD(owner, connID, kind))
	if err != nil {
		return store.Credential{}, fmt.Errorf("seal credential: %w", err)
	}
	return store.Credential{
		ConnectionID: connID,
		OwnerID:      owner,
		Kind:         kind,
		Sealed:       sealed,
		UpdatedAt:    m.clock(),
	}, nil
}
