package outbound

import (
	"context"
	"fmt"
	"net"
	"net/netip"
	"net/url"
	"syscall"

	"code.dny.dev/ssrf"
)

var (
	// sharedAddressSpace is the carrier-grade NAT range (RFC 6598).
	sharedAddressSpace = netip.MustParsePrefix("100.64.0.0/10")

	// metadataAddrs are the cloud instance metadata endpoints (AWS, GCP,
	// Azure, and the IPv6 form on AWS Nitro).
	metadataAddrs = []netip.Addr{
		netip.MustParseAddr("169.254.169.254"),
		netip.MustParseAddr("fd00:ec2::254"),
	}
)

// guard decides which destinations the client may connect to.
type guard struct {
	allow AllowList
	// special catches the special-purpose ranges from the IANA registries
	// that the named checks in reason do not cover.
	special *ssrf.Guardian
}

// newGuard returns a guard that refuses non-public addresses not in allow.
func newGuard(allow AllowList) *guard {
	return &guard{
		allow:   allow,
		special: ssrf.New(ssrf.WithAnyPort(), ssrf.WithAnyNetwork()),
	}
}

// checkURL refuses, before any socket exists, a URL whose scheme is not
// http or https, or whose host is a literal IP address that is refused.
// Host names pass; the dialer checks the addresses they resolve to.
func (g *guard) checkURL(u *url.URL) error {
	host := u.Hostname()
	if u.Scheme != "http" && u.Scheme != "https" {
		return &BlockedError{Host: host, Reason: fmt.Sprintf("scheme %q is not allowed", u.Scheme)}
	}
	if g.allow.AllowsHost(host) {
		return nil
	}
	ip, err := netip.ParseAddr(host)
	if err != nil {
		return nil
	}
	return g.checkAddr(host, ip)
}

// checkAddr refuses ip, reached through host, unless it is public or
// allowed.
func (g *guard) checkAddr(host string, ip netip.Addr) error {
	if g.allow.AllowsIP(ip) {
		return nil
	}
	if reason := g.reason(ip); reason != "" {
		return &BlockedError{Host: host, Addr: ip.String(), Reason: reason}
	}
	return nil
}

// reason names why ip is not a public address, or returns "" if it is.
func (g *guard) reason(ip netip.Addr) string {
	switch {
	case ip.Is4In6():
		return "IPv4-mapped IPv6 address"
	case isMetadata(ip):
		return "cloud metadata address"
	case ip.IsUnspecified():
		return "unspecified address"
	case ip.IsLoopback():
		return "loopback address"
	case ip.IsPrivate():
		return "private address"
	case ip.IsLinkLocalUnicast():
		return "link-local address"
	case ip.IsMulticast():
		return "multicast address"
	case sharedAddressSpace.Contains(ip):
		return "shared (carrier-grade NAT) address"
	case g.special.SafeAddr(ip) != nil:
		return "special-purpose address"
	}
	return ""
}

// isMetadata reports whether ip is a cloud instance metadata endpoint.
func isMetadata(ip netip.Addr) bool {
	for _, m := range metadataAddrs {
		if ip.WithZone("") == m {
			return true
		}
	}
	return false
}

// dialer connects to the addresses host names resolve to, once each, and
// checks every address just before connecting to it.
type dialer struct {
	guard *guard
	base  net.Dialer
}

// DialContext dials addr ("host:port"). Unless the host name is allowed,
// the address the dialer resolved and is about to connect to is checked in
// the socket's control hook, so DNS answers cannot change between the
// check and the connection.
func (d *dialer) DialContext(ctx context.Context, network, addr string) (net.Conn, error) {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, fmt.Errorf("dial %s: %w", addr, err)
	}

	nd := d.base
	if !d.guard.allow.AllowsHost(host) {
		nd.ControlContext = d.control(host)
	}
	return nd.DialContext(ctx, network, addr)
}

// control returns the control hook that checks each address dialed for
// host.
func (d *dialer) control(host string) func(context.Context, string, string, syscall.RawConn) error {
	return func(_ context.Context, _, address string, _ syscall.RawConn) error {
		ap, err := netip.ParseAddrPort(address)
		if err != nil {
			return &BlockedError{Host: host, Addr: address, Reason: "unrecognised address"}
		}
		return d.guard.checkAddr(host, ap.Addr())
	}
}
