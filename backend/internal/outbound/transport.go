package outbound

import (
	"fmt"
	"net/http"
)

// roundTripper checks each request's URL before handing it to the pooled
// transport, whose dialer checks the addresses, and caps response bodies.
type roundTripper struct {
	guard   *guard
	base    *http.Transport
	maxBody int64 // negative: no cap
}

var _ http.RoundTripper = (*roundTripper)(nil)

// RoundTrip sends req if its URL passes the guard.
func (t *roundTripper) RoundTrip(req *http.Request) (*http.Response, error) {
	if err := t.guard.checkURL(req.URL); err != nil {
		// A RoundTripper must close the request body, even on error.
		if req.Body != nil {
			req.Body.Close()
		}
		return nil, err
	}

	resp, err := t.base.RoundTrip(req)
	if err != nil {
		return nil, err
	}

	// A 101 response body is the upgraded connection, which a reverse
	// proxy needs as an io.ReadWriteCloser; it is not capped.
	if t.maxBody < 0 || resp.StatusCode == http.StatusSwitchingProtocols {
		return resp, nil
	}
	// A declared length over the cap fails now, before a caller such as
	// the proxy has passed the status on and can no longer say why.
	if resp.ContentLength > t.maxBody {
		resp.Body.Close()
		return nil, fmt.Errorf("declared length %d over body limit %d bytes: %w",
			resp.ContentLength, t.maxBody, ErrResponseTooLarge)
	}
	resp.Body = newLimitedBody(resp.Body, resp.ContentLength, t.maxBody)
	return resp, nil
}

// CloseIdleConnections closes the pooled connections that are not in use;
// http.Client calls it through its own CloseIdleConnections.
func (t *roundTripper) CloseIdleConnections() {
	t.base.CloseIdleConnections()
}
