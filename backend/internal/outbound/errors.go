package outbound

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"syscall"
)

var (
	// ErrResponseTooLarge reports a response body longer than the client's
	// MaxResponseBytes; reading the body fails with it once the limit is
	// passed.
	ErrResponseTooLarge = errors.New("response body too large")

	// ErrTooManyRedirects reports a redirect chain longer than the
	// client's MaxRedirects.
	ErrTooManyRedirects = errors.New("too many redirects")
)

// BlockedError reports a request the client refused to send: a scheme
// other than http or https, or a destination address that is not public
// and not allowed. Host is the URL's host name, Addr the refused IP
// address (empty when the refusal came before any address was known), and
// Reason a short phrase such as "loopback address". It is found with
// errors.As through the *url.Error and *net.OpError that wrap it.
type BlockedError struct {
	Host   string
	Addr   string
	Reason string
}

// Error names the refused destination and the reason.
func (e *BlockedError) Error() string {
	host := e.Host
	if host == "" {
		host = "request"
	}
	if e.Addr == "" || e.Addr == e.Host {
		return fmt.Sprintf("blocked %s: %s", host, e.Reason)
	}
	return fmt.Sprintf("blocked %s at %s: %s", host, e.Addr, e.Reason)
}

// IsTimeout reports whether err comes from a deadline: the client's
// Timeout, a context deadline, or a network timeout.
func IsTimeout(err error) bool {
	if err == nil {
		return false
	}
	if errors.Is(err, context.DeadlineExceeded) || errors.Is(err, os.ErrDeadlineExceeded) {
		return true
	}
	var netErr net.Error
	return errors.As(err, &netErr) && netErr.Timeout()
}

// IsUnreachable reports whether err means the destination could not be
// reached: the connection was refused, the host name did not resolve, or
// there is no route to the host. A timeout is reported by [IsTimeout]
// instead, and a refusal by the client itself is a [*BlockedError].
func IsUnreachable(err error) bool {
	if err == nil || IsTimeout(err) {
		return false
	}
	var dnsErr *net.DNSError
	if errors.As(err, &dnsErr) {
		return true
	}
	return errors.Is(err, syscall.ECONNREFUSED) ||
		errors.Is(err, syscall.EHOSTUNREACH) ||
		errors.Is(err, syscall.ENETUNREACH)
}

// redact replaces the URL of a top-level *url.Error, as returned by
// http.Client, with its scheme, host and path, so query strings (which
// may hold API keys), fragments and user information never reach a
// message. Other errors are returned unchanged.
func redact(err error) error {
	ue, ok := err.(*url.Error)
	if !ok {
		return err
	}
	return &url.Error{Op: ue.Op, URL: redactURL(ue.URL), Err: ue.Err}
}

// redactURL reduces rawURL to scheme://host/path.
func redactURL(rawURL string) string {
	u, err := url.Parse(rawURL)
	if err != nil {
		return "(invalid URL)"
	}
	short := url.URL{Scheme: u.Scheme, Host: u.Host, Path: u.Path, RawPath: u.RawPath}
	return short.String()
}
