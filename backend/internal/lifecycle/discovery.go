package lifecycle

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/plugboard/plugboard/backend/internal/outbound"
	"github.com/plugboard/plugboard/shared"
)

// serverMetadata is the part of RFC 8414 authorization server metadata
// (and of OpenID Connect discovery, which shares these names) that a
// service definition needs.
type serverMetadata struct {
	Issuer                string   `json:"issuer"`
	AuthorizationEndpoint string   `json:"authorization_endpoint"`
	TokenEndpoint         string   `json:"token_endpoint"`
	RevocationEndpoint    string   `json:"revocation_endpoint"`
	ScopesSupported       []string `json:"scopes_supported"`
	CodeChallengeMethods  []string `json:"code_challenge_methods_supported"`
	TokenAuthMethods      []string `json:"token_endpoint_auth_methods_supported"`
}

// discover fills an OAuth 2.0 service's endpoints from its issuer's
// metadata: first RFC 8414's well-known address, then OpenID Connect's.
func (m *Manager) discover(ctx context.Context, s *shared.Service) error {
	issuer := strings.TrimSuffix(s.Issuer, "/")
	u, err := url.Parse(issuer)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" ||
		u.RawQuery != "" || u.Fragment != "" {
		return invalid(shared.FieldErrors{{Field: "issuer",
			Message: "must be an http or https URL without query or fragment"}})
	}
	var md *serverMetadata
	var errs []error
	for _, addr := range wellKnownURLs(issuer) {
		got, err := m.fetchMetadata(ctx, addr)
		if err == nil {
			md = got
			break
		}
		errs = append(errs, err)
	}
	if md == nil {
		return discoveryError(errors.Join(errs...))
	}
	// RFC 8414 section 3.3: the issuer in the document must be identical
	// to the one the metadata was asked for.
	if strings.TrimSuffix(md.Issuer, "/") != issuer {
		return fail(shared.CodeProviderError,
			"The metadata names the issuer %q, not %q; it was refused.", md.Issuer, s.Issuer)
	}
	s.AuthorizationURL = md.AuthorizationEndpoint
	s.TokenURL = md.TokenEndpoint
	if s.RevocationURL == "" {
		s.RevocationURL = md.RevocationEndpoint
	}
	if len(s.Scopes) == 0 {
		for _, sc := range md.ScopesSupported {
			s.Scopes = append(s.Scopes, shared.Scope{Name: sc})
		}
	}
	if s.PKCE == nil && len(md.CodeChallengeMethods) > 0 && !slices.Contains(md.CodeChallengeMethods, "S256") {
		off := false
		s.PKCE = &off
	}
	if s.TokenAuthStyle == "" && len(md.TokenAuthMethods) > 0 &&
		!slices.Contains(md.TokenAuthMethods, "client_secret_basic") &&
		slices.Contains(md.TokenAuthMethods, "client_secret_post") {
		s.TokenAuthStyle = shared.TokenAuthBody
	}
	return nil
}

// discoveryError maps a failed search for metadata. When the guarded
// client refused the issuer's address, or the issuer could not be reached
// at all, that is said as for any other outbound request; otherwise the
// issuer answered, but with no usable document.
func discoveryError(err error) *Error {
	var blocked *outbound.BlockedError
	if errors.As(err, &blocked) || outbound.IsTimeout(err) || outbound.IsUnreachable(err) {
		return upstreamError(err, "Fetching the issuer's metadata failed")
	}
	return &Error{Code: shared.CodeProviderError, Err: err,
		Detail: "No authorization server metadata was found at the issuer's well-known addresses; give the endpoints instead."}
}

// wellKnownURLs returns where an issuer's metadata may be: RFC 8414
// section 3.1 puts the well-known segment between host and path; OpenID
// Connect Discovery appends it to the issuer.
func wellKnownURLs(issuer string) []string {
	u, _ := url.Parse(issuer)
	path := strings.TrimSuffix(u.Path, "/")
	rfc := *u
	rfc.Path = "/.well-known/oauth-authorization-server" + path
	oidc := *u
	oidc.Path = path + "/.well-known/openid-configuration"
	return []string{rfc.String(), oidc.String()}
}

func (m *Manager) fetchMetadata(ctx context.Context, addr string) (*serverMetadata, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, addr, nil)
	if err != nil {
		return nil, fmt.Errorf("metadata request: %w", err)
	}
	req.Header.Set("Accept", "application/json")
	resp, err := m.out.Do(req)
	if err != nil {
		return nil, fmt.Errorf("fetch metadata: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		_, _ = io.Copy(io.Discard, resp.Body)
		return nil, fmt.Errorf("fetch metadata: %s answered %d", addr, resp.StatusCode)
	}
	var md serverMetadata
	if err := json.NewDecoder(resp.Body).Decode(&md); err != nil {
		return nil, fmt.Errorf("decode metadata: %w", err)
	}
	return &md, nil
}
