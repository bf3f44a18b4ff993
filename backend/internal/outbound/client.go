package outbound

import (
	"net"
	"net/http"
	"time"
)

// Defaults that New applies to zero Config fields.
const (
	DefaultTimeout          = 30 * time.Second
	DefaultDialTimeout      = 10 * time.Second
	DefaultMaxResponseBytes = 10 << 20
	DefaultMaxRedirects     = 5
)

// Config sets the limits of a [Client]. Zero fields take the defaults.
type Config struct {
	// Allow lists the destinations allowed although they are not public.
	Allow AllowList

	// Timeout bounds a whole request made through HTTP or Do, including
	// redirects and reading the body; through Transport it bounds the wait
	// for the response headers. Default 30s.
	Timeout time.Duration

	// DialTimeout bounds connecting to one destination. Default 10s.
	DialTimeout time.Duration

	// MaxResponseBytes caps the length of a response body: 0 means the
	// default of 10 MiB, a negative value means no cap (for callers such
	// as the proxy that stream and enforce their own).
	MaxResponseBytes int64

	// MaxRedirects caps the redirects followed by HTTP and Do. Default 5;
	// use [Client.WithoutRedirects] to follow none.
	MaxRedirects int

	// KeepEncoding leaves Accept-Encoding to the caller and hands response
	// bodies on as the destination encoded them, as a proxy must. By
	// default the client asks for gzip when the request does not say, and
	// decodes the answer itself.
	KeepEncoding bool

	// CredentialHeaders names request headers that carry credentials, such
	// as "X-Api-Key". Like Authorization, Cookie and Referer they are
	// removed from a redirect that leaves the original scheme, host and
	// port.
	CredentialHeaders []string
}

// withDefaults returns cfg with zero fields set to their defaults.
func (cfg Config) withDefaults() Config {
	if cfg.Timeout <= 0 {
		cfg.Timeout = DefaultTimeout
	}
	if cfg.DialTimeout <= 0 {
		cfg.DialTimeout = DefaultDialTimeout
	}
	if cfg.MaxResponseBytes == 0 {
		cfg.MaxResponseBytes = DefaultMaxResponseBytes
	}
	if cfg.MaxRedirects <= 0 {
		cfg.MaxRedirects = DefaultMaxRedirects
	}
	return cfg
}

// Client sends requests only to allowed destinations. It keeps one pool of
// keep-alive connections (HTTP/1.1, and HTTP/2 over https) for all its
// uses, and is safe for concurrent use.
type Client struct {
	cfg       Config
	transport *roundTripper
	http      *http.Client
}

// New returns a Client with the limits of cfg.
func New(cfg Config) *Client {
	cfg = cfg.withDefaults()
	g := newGuard(cfg.Allow)

	d := &dialer{
		guard: g,
		base:  net.Dialer{Timeout: cfg.DialTimeout, KeepAlive: 30 * time.Second},
	}
	base := &http.Transport{
		// Proxy stays nil: a proxy from the environment would be dialed
		// instead of the destination, and the destination left unchecked.
		Proxy:             nil,
		DialContext:       d.DialContext,
		ForceAttemptHTTP2: true,
		// A proxy sends most of its traffic to a few API hosts: a
		// per-host pool smaller than the callers in flight would close
		// connections after each answer and dial again for the next.
		MaxIdleConns:          1024,
		MaxIdleConnsPerHost:   256,
		IdleConnTimeout:       90 * time.Second,
		TLSHandshakeTimeout:   cfg.DialTimeout,
		ResponseHeaderTimeout: cfg.Timeout,
		ExpectContinueTimeout: time.Second,
		DisableCompression:    cfg.KeepEncoding,
	}

	c := &Client{
		cfg:       cfg,
		transport: &roundTripper{guard: g, base: base, maxBody: cfg.MaxResponseBytes},
	}
	c.http = &http.Client{
		Transport:     c.transport,
		CheckRedirect: c.checkRedirect,
		Timeout:       cfg.Timeout,
	}
	return c
}

// HTTP returns the guarded *http.Client, for golang.org/x/oauth2 (through
// its oauth2.HTTPClient context key) and for plain requests. Callers must
// not modify it. Its errors come from net/http and carry the full request
// URL; use [Client.Do] when the URL may hold a secret.
func (c *Client) HTTP() *http.Client {
	return c.http
}

// Transport returns the guarded round tripper, for a reverse proxy. It
// checks every request like the client does but follows no redirects and
// has no overall timeout; responses with status 101 Switching Protocols
// keep their writable body.
func (c *Client) Transport() http.RoundTripper {
	return c.transport
}

// Do sends req through the guarded client, following allowed redirects.
// Its errors carry the request URL reduced to scheme, host and path. As
// with http.Client, when a redirect is refused the previous response is
// returned, with its body closed, together with the error.
func (c *Client) Do(req *http.Request) (*http.Response, error) {
	resp, err := c.http.Do(req)
	return resp, redact(err)
}

// WithoutRedirects returns a Client that shares c's connections and limits
// but returns a redirect response to the caller instead of following it,
// for credential checks and the proxy.
func (c *Client) WithoutRedirects() *Client {
	hc := *c.http
	hc.CheckRedirect = func(*http.Request, []*http.Request) error {
		return http.ErrUseLastResponse
	}
	return &Client{cfg: c.cfg, transport: c.transport, http: &hc}
}

// CloseIdleConnections closes the pooled connections that are not in use.
func (c *Client) CloseIdleConnections() {
	c.transport.CloseIdleConnections()
}
