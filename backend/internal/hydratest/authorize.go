package hydratest

import (
	"errors"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"testing"
)

// maxRedirects bounds the redirects Authorize follows; a normal flow takes
// four.
const maxRedirects = 20

// Authorize plays the browser for an authorization request: it opens
// authorizeURL with a fresh cookie jar and follows the redirects through
// Hydra and the login and consent app. It stops at the first redirect to
// anywhere else, the client's redirect URI, without requesting it, and
// returns that URL: it carries code and state, or error and
// error_description. The test fails if the flow ends anywhere else.
func (s *Server) Authorize(t testing.TB, authorizeURL string) *url.URL {
	t.Helper()
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatalf("hydratest: authorize: %v", err)
	}
	var target *url.URL
	browser := &http.Client{
		Jar:     jar,
		Timeout: s.http.Timeout,
		CheckRedirect: func(req *http.Request, via []*http.Request) error {
			if !s.ownsHost(req.URL.Host) {
				target = req.URL
				return http.ErrUseLastResponse
			}
			if len(via) >= maxRedirects {
				return errors.New("too many redirects")
			}
			return nil
		},
	}

	req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, authorizeURL, nil)
	if err != nil {
		t.Fatalf("hydratest: authorize: %v", err)
	}
	resp, err := browser.Do(req)
	if err != nil {
		t.Fatalf("hydratest: authorize: %v", err)
	}
	defer resp.Body.Close()
	if target != nil {
		return target
	}

	body, _ := io.ReadAll(io.LimitReader(resp.Body, 2000))
	t.Fatalf("hydratest: authorize: flow ended at %s with status %d, not at a redirect URI: %s",
		resp.Request.URL, resp.StatusCode, body)
	return nil
}

// ownsHost reports whether host (host:port) is Hydra's public API or the
// login and consent app.
func (s *Server) ownsHost(host string) bool {
	return host == hostOf(s.publicURL) || host == hostOf(s.ui.URL)
}

// hostOf returns the host:port of a base URL.
func hostOf(base string) string {
	u, err := url.Parse(base)
	if err != nil {
		return ""
	}
	return u.Host
}
