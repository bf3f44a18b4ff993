package hydratest

import (
	"bytes"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"sync"
	"testing"
)

// maxFormBytes bounds how much of a token request the proxy reads to find
// its grant type.
const maxFormBytes = 1 << 20

// tokenCounter counts token requests by grant type.
type tokenCounter struct {
	mu     sync.Mutex
	counts map[string]int
}

// add counts one request of the grant type.
func (c *tokenCounter) add(grantType string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.counts[grantType]++
}

// get returns the number of requests of the grant type, or of all types
// when grantType is empty.
func (c *tokenCounter) get(grantType string) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	if grantType != "" {
		return c.counts[grantType]
	}
	n := 0
	for _, v := range c.counts {
		n += v
	}
	return n
}

// TokenRequests returns how many POSTs reached the token endpoint through
// TokenURL with the grant type, such as "authorization_code" or
// "refresh_token", whatever Hydra answered; an empty grantType counts them
// all. It panics unless Start was given WithCountingProxy, since a silent
// zero would let a test pass for the wrong reason.
func (s *Server) TokenRequests(grantType string) int {
	if s.tokens == nil {
		panic("hydratest: TokenRequests needs Start(t, WithCountingProxy())")
	}
	return s.tokens.get(grantType)
}

// startProxy serves the counting reverse proxy in front of Hydra's public
// API until the test ends.
func (s *Server) startProxy(t testing.TB) {
	t.Helper()
	target, err := url.Parse(s.publicURL)
	if err != nil {
		t.Fatalf("hydratest: start proxy: %v", err)
	}
	rp := &httputil.ReverseProxy{
		Rewrite:  func(r *httputil.ProxyRequest) { r.SetURL(target) },
		ErrorLog: log.New(s.output, "hydratest proxy: ", log.LstdFlags),
	}
	s.tokens = &tokenCounter{counts: map[string]int{}}
	proxy := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPost && r.URL.Path == "/oauth2/token" {
			s.tokens.add(grantType(r))
		}
		rp.ServeHTTP(w, r)
	}))
	t.Cleanup(proxy.Close)
	s.proxyURL = proxy.URL
}

// grantType reads the grant_type of a token request and puts what it read
// back in front of the rest of the body for the proxy to forward.
func grantType(r *http.Request) string {
	orig := r.Body
	body, err := io.ReadAll(io.LimitReader(orig, maxFormBytes))
	r.Body = readCloser{io.MultiReader(bytes.NewReader(body), orig), orig}
	if err != nil {
		return ""
	}
	form, err := url.ParseQuery(string(body))
	if err != nil {
		return ""
	}
	return form.Get("grant_type")
}

// readCloser joins a reader with the closer of the body it reads from.
type readCloser struct {
	io.Reader
	io.Closer
}
