package outbound

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
)

// server is an httptest server on 127.0.0.1 that counts the connections
// it accepts, so a test can tell that a refused request never connected.
type server struct {
	*httptest.Server
	conns atomic.Int32
}

// newServer starts a plain HTTP server for h, closed when the test ends.
func newServer(t *testing.T, h http.Handler) *server {
	t.Helper()
	s := &server{Server: httptest.NewUnstartedServer(h)}
	s.Config.ConnState = func(_ net.Conn, state http.ConnState) {
		if state == http.StateNew {
			s.conns.Add(1)
		}
	}
	s.Start()
	t.Cleanup(s.Close)
	return s
}

// port returns the server's port.
func (s *server) port() string {
	_, port, _ := net.SplitHostPort(s.Listener.Addr().String())
	return port
}

// localhostURL returns the server's URL with the host name "localhost".
func (s *server) localhostURL() string {
	return "http://localhost:" + s.port()
}

// mustAllow parses an allow list or fails the test.
func mustAllow(t *testing.T, s string) AllowList {
	t.Helper()
	a, err := ParseAllowList(s)
	if err != nil {
		t.Fatalf("ParseAllowList(%q) error: %v", s, err)
	}
	return a
}

// countDials wraps c's dialer and counts the connections it tries.
func countDials(c *Client) *atomic.Int32 {
	var n atomic.Int32
	dial := c.transport.base.DialContext
	c.transport.base.DialContext = func(ctx context.Context, network, addr string) (net.Conn, error) {
		n.Add(1)
		return dial(ctx, network, addr)
	}
	return &n
}

// get sends a GET through c.Do and returns the response body, closing it.
func get(t *testing.T, c *Client, rawURL string) (*http.Response, string, error) {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, rawURL, nil)
	if err != nil {
		t.Fatalf("new request %s: %v", rawURL, err)
	}
	resp, err := c.Do(req)
	if err != nil {
		return resp, "", err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	return resp, string(body), err
}

// textHandler answers every request with text.
func textHandler(text string) http.HandlerFunc {
	return func(w http.ResponseWriter, _ *http.Request) {
		io.WriteString(w, text)
	}
}

// blockedError returns the *BlockedError in err's chain, or fails the test.
func blockedError(t *testing.T, err error) *BlockedError {
	t.Helper()
	var be *BlockedError
	if !errors.As(err, &be) {
		t.Fatalf("error = %v, want *BlockedError", err)
	}
	return be
}
