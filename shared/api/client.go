// Package api is the typed Go client of the Plugboard JSON API, described
// in CONTRACT.md beside this file. It compiles for servers and for
// js/wasm, where the web app uses it from the browser.
//
// Every method returns a *shared.Problem when the server answers with an
// error status, and an error wrapping ErrUnreachable when no answer came.
// A problem's RetryAfter holds the answer's Retry-After header when the
// document gives no retry_after of its own.
package api

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/plugboard/plugboard/shared"
)

// ErrUnreachable is wrapped by every error that means the server gave no
// answer: a refused connection, a broken network, an offline browser.
var ErrUnreachable = errors.New("api: server unreachable")

// maxErrorBody caps how much of an error answer is read.
const maxErrorBody = 64 << 10

// Client calls the Plugboard API. It is safe for concurrent use.
type Client struct {
	base   string
	apiKey string
	// send sends a request: hc.Do when an http.Client was given,
	// otherwise the platform's default.
	send func(*http.Request) (*http.Response, error)
	hc   *http.Client

	mu   sync.Mutex
	csrf string
}

// Option configures a Client.
type Option func(*Client)

// WithAPIKey makes the client authenticate with an API key, sent as a
// bearer token.
func WithAPIKey(key string) Option {
	return func(c *Client) { c.apiKey = key }
}

// WithHTTPClient makes the client send its requests with hc instead of
// http.DefaultClient (or, in the browser, instead of fetch).
func WithHTTPClient(hc *http.Client) Option {
	return func(c *Client) {
		c.hc = hc
		c.send = hc.Do
	}
}

// WithCSRFToken sets the token sent as X-CSRF-Token on every request that
// is not a GET, HEAD or OPTIONS. Browsers need it next to their session
// cookie; programs that use an API key do not.
func WithCSRFToken(token string) Option {
	return func(c *Client) { c.csrf = token }
}

// New returns a client of the API served at baseURL, such as
// "https://plugboard.example.com". The "/api/v1" prefix is added by the
// client.
func New(baseURL string, opts ...Option) *Client {
	c := &Client{
		base: strings.TrimSuffix(baseURL, "/"),
		send: defaultSend,
	}
	for _, o := range opts {
		o(c)
	}
	return c
}

// SetCSRFToken replaces the token sent as X-CSRF-Token, as a browser
// must after signing in.
func (c *Client) SetCSRFToken(token string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.csrf = token
}

// CSRFToken returns the token sent as X-CSRF-Token, or "".
func (c *Client) CSRFToken() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.csrf
}

// do sends a request to path (below the base URL) with in as its JSON
// body, when not nil, and decodes a 2xx answer into out, when not nil.
func (c *Client) do(ctx context.Context, method, path string, in, out any) error {
	var body io.Reader
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			return fmt.Errorf("api: encode %s %s: %w", method, path, err)
		}
		body = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, c.base+path, body)
	if err != nil {
		return fmt.Errorf("api: %s %s: %w", method, path, err)
	}
	req.Header.Set("Accept", "application/json")
	if in != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	c.authorize(req)

	resp, err := c.send(req)
	if err != nil {
		return c.sendError(ctx, method, path, err)
	}
	defer resp.Body.Close()

	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return readProblem(resp)
	}
	if out == nil || resp.StatusCode == http.StatusNoContent {
		return nil
	}
	if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
		return fmt.Errorf("api: decode answer to %s %s: %w", method, path, err)
	}
	return nil
}

// authorize adds the API key and, for requests that change something, the
// CSRF token.
func (c *Client) authorize(req *http.Request) {
	if c.apiKey != "" {
		req.Header.Set("Authorization", "Bearer "+c.apiKey)
	}
	switch req.Method {
	case http.MethodGet, http.MethodHead, http.MethodOptions:
		return
	}
	if t := c.CSRFToken(); t != "" {
		req.Header.Set("X-CSRF-Token", t)
	}
}

// sendError wraps an error of the transport. A canceled or expired
// context is reported as such, anything else as ErrUnreachable.
func (c *Client) sendError(ctx context.Context, method, path string, err error) error {
	if ctx.Err() != nil {
		return fmt.Errorf("api: %s %s: %w", method, path, ctx.Err())
	}
	return fmt.Errorf("%w: %s %s: %w", ErrUnreachable, method, path, err)
}

// readProblem turns an error answer into a *shared.Problem. An answer
// that is not a problem document (a proxy's error page, say) gets one
// made from its status.
func readProblem(resp *http.Response) *shared.Problem {
	b, _ := io.ReadAll(io.LimitReader(resp.Body, maxErrorBody))
	var p shared.Problem
	if err := json.Unmarshal(b, &p); err != nil || p.Code == "" {
		p = shared.Problem{
			Type:   shared.ProblemTypeBase + string(codeFor(resp.StatusCode)),
			Title:  http.StatusText(resp.StatusCode),
			Status: resp.StatusCode,
			Code:   codeFor(resp.StatusCode),
		}
	}
	if p.Status == 0 {
		p.Status = resp.StatusCode
	}
	if p.RetryAfter == 0 {
		p.RetryAfter = retryAfter(resp.Header.Get("Retry-After"), time.Now())
	}
	return &p
}

// retryAfter reads a Retry-After header, either seconds or an HTTP date
// (RFC 9110 section 10.2.3), as whole seconds to wait from now; 0 when
// absent, invalid or past.
func retryAfter(header string, now time.Time) int {
	header = strings.TrimSpace(header)
	if header == "" {
		return 0
	}
	if n, err := strconv.Atoi(header); err == nil {
		return max(n, 0)
	}
	t, err := http.ParseTime(header)
	if err != nil {
		return 0
	}
	return max(int(math.Ceil(t.Sub(now).Seconds())), 0)
}

// codeFor picks the code of a problem made up for a bare error status.
func codeFor(status int) shared.Code {
	switch status {
	case http.StatusUnauthorized:
		return shared.CodeUnauthorized
	case http.StatusForbidden:
		return shared.CodeForbidden
	case http.StatusNotFound:
		return shared.CodeNotFound
	case http.StatusTooManyRequests:
		return shared.CodeRateLimited
	case http.StatusBadGateway, http.StatusServiceUnavailable, http.StatusGatewayTimeout:
		return shared.CodeUnavailable
	}
	return shared.CodeInternal
}

// AsProblem returns the problem document err carries, if any.
func AsProblem(err error) (*shared.Problem, bool) {
	var p *shared.Problem
	if errors.As(err, &p) {
		return p, true
	}
	return nil, false
}

// IsUnauthorized reports whether err is a 401 answer: the session ended
// or the API key is not valid.
func IsUnauthorized(err error) bool {
	p, ok := AsProblem(err)
	return ok && p.Status == http.StatusUnauthorized
}
