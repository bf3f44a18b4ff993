package api

import (
	"net/http"
	"net/url"
	"strings"
)

// HTTPClient returns an http.Client that sends every request through the
// proxy of the connection ref: the request's path and query are appended
// to /api/v1/connections/{ref}/proxy/, and its scheme and host are
// ignored. Plugboard adds the connection's credentials on the way, so
// requests need none of their own; an Authorization header they carry is
// replaced by the client's API key.
func (c *Client) HTTPClient(ref string) *http.Client {
	hc := &http.Client{Transport: &proxyTransport{client: c, ref: ref}}
	if c.hc != nil {
		hc.Jar, hc.Timeout = c.hc.Jar, c.hc.Timeout
	}
	return hc
}

// proxyTransport rewrites requests to the proxy route.
type proxyTransport struct {
	client *Client
	ref    string
}

// RoundTrip sends a copy of req to the proxy route.
func (t *proxyTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	target, err := url.Parse(t.client.base + t.proxyPath(req.URL))
	if err != nil {
		return nil, err
	}
	out := req.Clone(req.Context())
	out.URL = target
	out.Host = ""
	out.Header.Del("Authorization")
	t.client.authorize(out)
	return t.client.roundTrip(out)
}

// proxyPath is the proxy route's path for the service URL u.
func (t *proxyTransport) proxyPath(u *url.URL) string {
	p := connectionPath(t.ref) + "/proxy/" + strings.TrimPrefix(u.EscapedPath(), "/")
	if u.RawQuery != "" {
		p += "?" + u.RawQuery
	}
	return p
}

// roundTrip sends req once, without following redirects: the http.Client
// that called the proxy transport follows them itself.
func (c *Client) roundTrip(req *http.Request) (*http.Response, error) {
	if c.hc == nil {
		return defaultRoundTrip(req)
	}
	next := c.hc.Transport
	if next == nil {
		next = http.DefaultTransport
	}
	return next.RoundTrip(req)
}
