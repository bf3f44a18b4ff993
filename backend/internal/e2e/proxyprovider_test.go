package e2e

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"
)

// Client credentials registered at the fake provider.
const (
	proxyClientID     = "proxy-client"
	proxyClientSecret = "proxy-client-secret"
)

// proxyProvider is a small OAuth 2.0 authorization server (RFC 6749) with
// PKCE (RFC 7636) and rotating refresh tokens, and the judge of the
// tokens it issued for the resource servers of the tests. It counts the
// refresh requests it gets.
type proxyProvider struct {
	*httptest.Server
	mu sync.Mutex
	// ttl is the lifetime of the access tokens issued from now on.
	ttl time.Duration
	// extra fields of every token answer, such as an instance URL.
	extra map[string]string
	// refuseRefresh makes refresh requests fail with invalid_grant.
	refuseRefresh bool
	n             int
	codes         map[string]string    // code -> PKCE challenge
	access        map[string]time.Time // access token -> expiry (zero: none)
	refresh       map[string]bool      // live refresh tokens
	refreshes     int
}

// proxyNewProvider starts a provider whose access tokens live ttl.
func proxyNewProvider(t testing.TB, ttl time.Duration) *proxyProvider {
	t.Helper()
	p := &proxyProvider{
		ttl: ttl, codes: map[string]string{},
		access: map[string]time.Time{}, refresh: map[string]bool{},
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /authorize", p.authorize)
	mux.HandleFunc("POST /token", p.token)
	p.Server = httptest.NewServer(mux)
	t.Cleanup(p.Close)
	return p
}

// authorize approves every request at once, as a person who consents
// would, and sends the browser back with a code (RFC 6749 section 4.1.2).
func (p *proxyProvider) authorize(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	if q.Get("client_id") != proxyClientID || q.Get("code_challenge_method") != "S256" {
		http.Error(w, "bad authorization request", http.StatusBadRequest)
		return
	}
	p.mu.Lock()
	p.n++
	code := fmt.Sprintf("code-%d", p.n)
	p.codes[code] = q.Get("code_challenge")
	p.mu.Unlock()
	back, err := url.Parse(q.Get("redirect_uri"))
	if err != nil {
		http.Error(w, "bad redirect_uri", http.StatusBadRequest)
		return
	}
	back.RawQuery = url.Values{"code": {code}, "state": {q.Get("state")}}.Encode()
	http.Redirect(w, r, back.String(), http.StatusFound)
}

// token answers the authorization code and refresh token grants.
func (p *proxyProvider) token(w http.ResponseWriter, r *http.Request) {
	if id, secret, ok := r.BasicAuth(); !ok || id != proxyClientID || secret != proxyClientSecret {
		proxyOAuthError(w, http.StatusUnauthorized, "invalid_client")
		return
	}
	if err := r.ParseForm(); err != nil {
		proxyOAuthError(w, http.StatusBadRequest, "invalid_request")
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	switch r.PostForm.Get("grant_type") {
	case "authorization_code":
		challenge, ok := p.codes[r.PostForm.Get("code")]
		delete(p.codes, r.PostForm.Get("code"))
		sum := sha256.Sum256([]byte(r.PostForm.Get("code_verifier")))
		if !ok || base64.RawURLEncoding.EncodeToString(sum[:]) != challenge {
			proxyOAuthError(w, http.StatusBadRequest, "invalid_grant")
			return
		}
	case "refresh_token":
		p.refreshes++
		rt := r.PostForm.Get("refresh_token")
		if p.refuseRefresh || !p.refresh[rt] {
			proxyOAuthError(w, http.StatusBadRequest, "invalid_grant")
			return
		}
		delete(p.refresh, rt) // rotation: each refresh token works once
	default:
		proxyOAuthError(w, http.StatusBadRequest, "unsupported_grant_type")
		return
	}
	p.issue(w)
}

// issue answers a new token pair; p.mu is held.
func (p *proxyProvider) issue(w http.ResponseWriter) {
	p.n++
	at, rt := fmt.Sprintf("at-%d", p.n), fmt.Sprintf("rt-%d", p.n)
	ans := map[string]any{"access_token": at, "refresh_token": rt, "token_type": "bearer"}
	var exp time.Time
	if p.ttl > 0 {
		exp = time.Now().Add(p.ttl)
		ans["expires_in"] = p.ttl.Seconds()
	}
	for k, v := range p.extra {
		ans[k] = v
	}
	p.access[at], p.refresh[rt] = exp, true
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	_ = json.NewEncoder(w).Encode(ans)
}

func proxyOAuthError(w http.ResponseWriter, status int, code string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]string{"error": code})
}

// valid reports whether r carries a live access token of this provider,
// and which token it carries.
func (p *proxyProvider) valid(r *http.Request) (string, bool) {
	tok, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	if !ok {
		return "", false
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	exp, live := p.access[tok]
	return tok, live && (exp.IsZero() || time.Now().Before(exp))
}

// kill ends an access token early, as a provider does when a person
// changes a password.
func (p *proxyProvider) kill(token string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	delete(p.access, token)
}

// set changes the provider's behaviour under its lock.
func (p *proxyProvider) set(f func(p *proxyProvider)) {
	p.mu.Lock()
	defer p.mu.Unlock()
	f(p)
}

// refreshCount is how many refresh requests the provider got.
func (p *proxyProvider) refreshCount() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.refreshes
}

// consent plays the person's browser at the provider: it follows the
// authorization URL and returns where the provider sends the browser.
func (p *proxyProvider) consent(t testing.TB) func(string) string {
	return func(authorizeURL string) string {
		t.Helper()
		hc := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error {
			return http.ErrUseLastResponse
		}}
		resp, err := hc.Get(authorizeURL)
		if err != nil {
			t.Fatalf("authorize at the provider: %v", err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusFound {
			t.Fatalf("authorize at the provider: got status %d, want 302", resp.StatusCode)
		}
		return resp.Header.Get("Location")
	}
}

// proxyResource is a resource server that accepts only live tokens of p
// and answers which token it saw.
func proxyResource(p *proxyProvider) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		tok, ok := p.valid(r)
		if !ok {
			w.Header().Set("WWW-Authenticate", `Bearer error="invalid_token"`)
			w.WriteHeader(http.StatusUnauthorized)
			_, _ = w.Write([]byte(`{"error":"invalid_token"}`))
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(map[string]string{"token": tok})
	}
}
