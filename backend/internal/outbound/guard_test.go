package outbound

import (
	"errors"
	"net/netip"
	"net/url"
	"testing"
)

func TestGuardCheckAddr(t *testing.T) {
	g := newGuard(AllowList{})
	tests := []struct {
		ip     string
		reason string // "" when the address is public
	}{
		{ip: "127.0.0.1", reason: "loopback address"},
		{ip: "127.255.0.9", reason: "loopback address"},
		{ip: "::1", reason: "loopback address"},
		{ip: "10.0.0.1", reason: "private address"},
		{ip: "172.16.5.4", reason: "private address"},
		{ip: "192.168.1.1", reason: "private address"},
		{ip: "fd12:3456::1", reason: "private address"},
		{ip: "169.254.169.254", reason: "cloud metadata address"},
		{ip: "fd00:ec2::254", reason: "cloud metadata address"},
		{ip: "169.254.1.1", reason: "link-local address"},
		{ip: "fe80::1", reason: "link-local address"},
		{ip: "0.0.0.0", reason: "unspecified address"},
		{ip: "::", reason: "unspecified address"},
		{ip: "224.0.0.1", reason: "multicast address"},
		{ip: "ff02::1", reason: "multicast address"},
		{ip: "100.64.0.1", reason: "shared (carrier-grade NAT) address"},
		{ip: "::ffff:127.0.0.1", reason: "IPv4-mapped IPv6 address"},
		{ip: "::ffff:10.0.0.1", reason: "IPv4-mapped IPv6 address"},
		{ip: "::ffff:8.8.8.8", reason: "IPv4-mapped IPv6 address"},
		{ip: "0.1.2.3", reason: "special-purpose address"},
		{ip: "192.0.2.1", reason: "special-purpose address"},
		{ip: "198.18.0.1", reason: "special-purpose address"},
		{ip: "255.255.255.255", reason: "special-purpose address"},
		{ip: "2001:db8::1", reason: "special-purpose address"},
		{ip: "64:ff9b::7f00:1", reason: "special-purpose address"},
		{ip: "8.8.8.8"},
		{ip: "1.1.1.1"},
		{ip: "2606:4700:4700::1111"},
	}
	for _, tt := range tests {
		t.Run(tt.ip, func(t *testing.T) {
			err := g.checkAddr("example.com", netip.MustParseAddr(tt.ip))
			if tt.reason == "" {
				if err != nil {
					t.Fatalf("checkAddr(%s) = %v, want nil", tt.ip, err)
				}
				return
			}
			var be *BlockedError
			if !errors.As(err, &be) {
				t.Fatalf("checkAddr(%s) = %v, want *BlockedError", tt.ip, err)
			}
			if be.Reason != tt.reason {
				t.Errorf("Reason = %q, want %q", be.Reason, tt.reason)
			}
			if be.Addr != tt.ip {
				t.Errorf("Addr = %q, want %q", be.Addr, tt.ip)
			}
		})
	}
}

func TestGuardCheckURL(t *testing.T) {
	allow, err := ParseAllowList("127.0.0.1,10.9.0.0/16,intranet.example,*.corp.example")
	if err != nil {
		t.Fatal(err)
	}
	g := newGuard(allow)
	tests := []struct {
		name    string
		url     string
		blocked bool
	}{
		{name: "public name", url: "https://api.example.com/v1"},
		{name: "public ip", url: "http://8.8.8.8/"},
		{name: "allowed ip", url: "http://127.0.0.1:8080/"},
		{name: "allowed cidr", url: "http://10.9.8.7/"},
		{name: "allowed host", url: "http://intranet.example/"},
		{name: "allowed wildcard", url: "http://a.corp.example/"},
		{name: "ftp", url: "ftp://8.8.8.8/", blocked: true},
		{name: "file", url: "file:///etc/passwd", blocked: true},
		{name: "no scheme", url: "//8.8.8.8/", blocked: true},
		{name: "loopback not listed", url: "http://127.0.0.2/", blocked: true},
		{name: "private outside cidr", url: "http://10.10.0.1/", blocked: true},
		{name: "mapped form of allowed ip", url: "http://[::ffff:127.0.0.1]/", blocked: true},
		{name: "ipv6 loopback", url: "http://[::1]/", blocked: true},
		{name: "zoned link-local", url: "http://[fe80::1%25eth0]/", blocked: true},
		{name: "metadata", url: "http://169.254.169.254/latest/meta-data/", blocked: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			u, err := url.Parse(tt.url)
			if err != nil {
				t.Fatal(err)
			}
			err = g.checkURL(u)
			var be *BlockedError
			if got := errors.As(err, &be); got != tt.blocked {
				t.Errorf("checkURL(%s) = %v, want blocked %v", tt.url, err, tt.blocked)
			}
		})
	}
}

func TestDialerControl(t *testing.T) {
	allow, err := ParseAllowList("10.9.0.0/16")
	if err != nil {
		t.Fatal(err)
	}
	d := &dialer{guard: newGuard(allow)}
	tests := []struct {
		address string
		blocked bool
	}{
		{address: "10.0.0.1:443", blocked: true},
		{address: "169.254.169.254:80", blocked: true},
		{address: "[::1]:80", blocked: true},
		{address: "not-an-address", blocked: true},
		{address: "10.9.0.1:443"},
		{address: "8.8.8.8:443"},
	}
	control := d.control("rebind.example")
	for _, tt := range tests {
		t.Run(tt.address, func(t *testing.T) {
			err := control(t.Context(), "tcp4", tt.address, nil)
			var be *BlockedError
			if got := errors.As(err, &be); got != tt.blocked {
				t.Fatalf("control(%s) = %v, want blocked %v", tt.address, err, tt.blocked)
			}
			if tt.blocked && be.Host != "rebind.example" {
				t.Errorf("Host = %q, want %q", be.Host, "rebind.example")
			}
		})
	}
}
