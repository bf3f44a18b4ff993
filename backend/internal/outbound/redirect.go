package outbound

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
)

// checkRedirect is the client's CheckRedirect: it caps the chain, applies
// the guard to the next URL, and keeps credentials from leaving the origin
// of the first request. The dialer still checks the addresses.
func (c *Client) checkRedirect(req *http.Request, via []*http.Request) error {
	if len(via) > c.cfg.MaxRedirects {
		return fmt.Errorf("stopped after %d redirects: %w", c.cfg.MaxRedirects, ErrTooManyRedirects)
	}
	if err := c.transport.guard.checkURL(req.URL); err != nil {
		return err
	}
	if !leftOrigin(req, via) {
		return nil
	}

	// A 307 or 308 resends the body, which for a token request holds the
	// client secret; the caller gets the redirect response instead.
	if req.Body != nil && req.Body != http.NoBody {
		req.Body.Close()
		return http.ErrUseLastResponse
	}
	c.stripCredentials(req.Header)
	return nil
}

// leftOrigin reports whether req, or any redirect before it, goes to an
// origin (scheme, host and port, RFC 6454) other than the first request's.
// net/http strips Authorization and Cookie only when the host name is not
// the original one or one of its subdomains, and ignores scheme and port.
func leftOrigin(req *http.Request, via []*http.Request) bool {
	first := via[0].URL
	if !sameOrigin(first, req.URL) {
		return true
	}
	for _, r := range via[1:] {
		if !sameOrigin(first, r.URL) {
			return true
		}
	}
	return false
}

// sameOrigin reports whether a and b have the same scheme, host and port.
func sameOrigin(a, b *url.URL) bool {
	return a.Scheme == b.Scheme && canonicalHostPort(a) == canonicalHostPort(b)
}

// canonicalHostPort returns u's lower-case host name and its port, the
// scheme's default when none is written.
func canonicalHostPort(u *url.URL) string {
	port := u.Port()
	if port == "" {
		switch u.Scheme {
		case "http":
			port = "80"
		case "https":
			port = "443"
		}
	}
	return strings.ToLower(u.Hostname()) + ":" + port
}

// credentialHeaders always leave a redirect to another origin. Referer is
// among them because net/http fills it with the previous URL, query
// string included.
var credentialHeaders = []string{
	"Authorization",
	"Cookie",
	"Cookie2",
	"Proxy-Authorization",
	"Referer",
}

// stripCredentials removes every header that carries credentials.
func (c *Client) stripCredentials(h http.Header) {
	for _, name := range credentialHeaders {
		h.Del(name)
	}
	for _, name := range c.cfg.CredentialHeaders {
		h.Del(name)
	}
}
