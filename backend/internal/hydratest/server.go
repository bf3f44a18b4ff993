package hydratest

import (
	"crypto/rand"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// DefaultSubject is the person the login app signs in unless SetSubject
// names another.
const DefaultSubject = "user@example.com"

// Server is a running Hydra with its login and consent app. Methods that
// take a testing.TB fail that test when Hydra refuses a call; all methods
// are safe for concurrent use.
type Server struct {
	publicURL string
	adminURL  string
	proxyURL  string

	ui      *httptest.Server
	http    *http.Client
	output  *syncBuffer
	tokens  *tokenCounter
	deny    atomic.Bool
	mu      sync.Mutex
	subject string
}

// Start runs Hydra for the length of the test and returns once it serves
// requests and has made its signing key. It fails the test if the binary
// is missing (see BinaryEnv) or Hydra does not come up.
func Start(t testing.TB, opts ...Option) *Server {
	t.Helper()
	var cfg config
	for _, opt := range opts {
		opt(&cfg)
	}

	bin, err := findBinary()
	if err != nil {
		t.Fatalf("hydratest: %v", err)
	}

	s := &Server{
		http:    &http.Client{Timeout: 30 * time.Second},
		output:  &syncBuffer{},
		subject: DefaultSubject,
	}
	s.ui = httptest.NewServer(s.loginConsentHandler())
	t.Cleanup(s.ui.Close)
	s.launch(t, bin, cfg.env)
	s.warmKeys(t)
	if cfg.countingProxy {
		s.startProxy(t)
	}
	return s
}

// Issuer is Hydra's issuer identifier, as its discovery document and ID
// tokens carry it.
func (s *Server) Issuer() string { return s.publicURL }

// PublicURL is the base URL of Hydra's public API (authorization, token,
// discovery).
func (s *Server) PublicURL() string { return s.publicURL }

// AdminURL is the base URL of Hydra's admin API.
func (s *Server) AdminURL() string { return s.adminURL }

// AuthURL is the authorization endpoint (RFC 6749 section 3.1).
func (s *Server) AuthURL() string { return s.publicURL + "/oauth2/auth" }

// TokenURL is the token endpoint (RFC 6749 section 3.2), reached through
// the counting proxy when Start was given WithCountingProxy.
func (s *Server) TokenURL() string { return s.frontURL() + "/oauth2/token" }

// RevocationURL is the token revocation endpoint (RFC 7009), reached
// through the counting proxy when Start was given WithCountingProxy.
func (s *Server) RevocationURL() string { return s.frontURL() + "/oauth2/revoke" }

// frontURL is the base URL handed out for the token and revocation
// endpoints.
func (s *Server) frontURL() string {
	if s.proxyURL != "" {
		return s.proxyURL
	}
	return s.publicURL
}

// DenyNext makes the login app reject the next login request with
// access_denied, so the client's redirect URI receives
// error=access_denied (RFC 6749 section 4.1.2.1). Later logins are
// accepted again.
func (s *Server) DenyNext() { s.deny.Store(true) }

// SetSubject changes the person the login app signs in from then on.
func (s *Server) SetSubject(subject string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.subject = subject
}

// currentSubject is the person the login app signs in now.
func (s *Server) currentSubject() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.subject
}

// randomSecret returns a random string of 52 letters and digits; Hydra's
// SECRETS_SYSTEM needs at least 32 characters.
func randomSecret() string {
	return rand.Text() + rand.Text()
}
