package outbound

import (
	"errors"
	"net/netip"
	"strings"
	"testing"
)

func TestParseAllowList(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want string // String() of the result
	}{
		{name: "empty", in: "", want: ""},
		{name: "blank entries", in: " , ,, ", want: ""},
		{name: "host", in: "Auth.Example.COM", want: "auth.example.com"},
		{name: "host with trailing dot", in: "example.com.", want: "example.com"},
		{name: "single label host", in: "localhost", want: "localhost"},
		{name: "underscore host", in: "token_service", want: "token_service"},
		{name: "wildcard", in: "*.Example.com", want: "*.example.com"},
		{name: "ipv4", in: "127.0.0.1", want: "127.0.0.1"},
		{name: "ipv6", in: "::1", want: "::1"},
		{name: "mapped ipv6 kept as written", in: "::ffff:10.0.0.1", want: "::ffff:10.0.0.1"},
		{name: "cidr", in: "10.0.0.0/8", want: "10.0.0.0/8"},
		{name: "cidr masked", in: "10.1.2.3/8", want: "10.0.0.0/8"},
		{name: "single address cidr", in: "10.1.2.3/32", want: "10.1.2.3"},
		{name: "ipv6 cidr", in: "fd00::/8", want: "fd00::/8"},
		{
			name: "mixed with spaces",
			in:   " 10.0.0.0/8 , *.corp.example, idp.local ,::1",
			want: "idp.local,*.corp.example,10.0.0.0/8,::1",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, err := ParseAllowList(tt.in)
			if err != nil {
				t.Fatalf("ParseAllowList(%q) error: %v", tt.in, err)
			}
			if got := a.String(); got != tt.want {
				t.Errorf("String() = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestParseAllowListErrors(t *testing.T) {
	tests := []struct {
		name  string
		in    string
		entry string
	}{
		{name: "url", in: "https://example.com", entry: "https://example.com"},
		{name: "host with port", in: "example.com:8080", entry: "example.com:8080"},
		{name: "host with path", in: "example.com/x", entry: "example.com/x"},
		{name: "bad cidr length", in: "10.0.0.0/33", entry: "10.0.0.0/33"},
		{name: "bad ipv4", in: "ok.example, 10.0.0.256", entry: "10.0.0.256"},
		{name: "short ipv4", in: "10.0.0", entry: "10.0.0"},
		{name: "bad ipv6", in: "fe80::1::2", entry: "fe80::1::2"},
		{name: "zone", in: "fe80::1%eth0", entry: "fe80::1%eth0"},
		{name: "bare star", in: "*", entry: "*"},
		{name: "empty wildcard", in: "*.", entry: "*."},
		{name: "inner star", in: "a.*.example.com", entry: "a.*.example.com"},
		{name: "double wildcard", in: "*.*.example.com", entry: "*.*.example.com"},
		{name: "empty label", in: "a..example.com", entry: "a..example.com"},
		{name: "leading hyphen", in: "-a.example.com", entry: "-a.example.com"},
		{name: "space inside", in: "exa mple.com", entry: "exa mple.com"},
		{name: "unicode", in: "bücher.example", entry: "bücher.example"},
		{name: "long label", in: strings.Repeat("a", 64) + ".com", entry: strings.Repeat("a", 64) + ".com"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseAllowList(tt.in)
			var ae *AllowListError
			if !errors.As(err, &ae) {
				t.Fatalf("ParseAllowList(%q) error = %v, want *AllowListError", tt.in, err)
			}
			if ae.Entry != tt.entry {
				t.Errorf("Entry = %q, want %q", ae.Entry, tt.entry)
			}
			if !strings.Contains(err.Error(), tt.entry) {
				t.Errorf("error %q does not name the entry %q", err, tt.entry)
			}
		})
	}
}

func TestAllowListAllowsHost(t *testing.T) {
	a, err := ParseAllowList("idp.example.com,*.corp.example,10.0.0.1")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		host string
		want bool
	}{
		{host: "idp.example.com", want: true},
		{host: "IDP.Example.Com", want: true},
		{host: "idp.example.com.", want: true},
		{host: "a.idp.example.com", want: false},
		{host: "example.com", want: false},
		{host: "evilidp.example.com", want: false},
		{host: "a.corp.example", want: true},
		{host: "a.b.corp.example", want: true},
		{host: "corp.example", want: false},
		{host: "xcorp.example", want: false},
		{host: "10.0.0.1", want: false},
		{host: "", want: false},
	}
	for _, tt := range tests {
		t.Run(tt.host, func(t *testing.T) {
			if got := a.AllowsHost(tt.host); got != tt.want {
				t.Errorf("AllowsHost(%q) = %v, want %v", tt.host, got, tt.want)
			}
		})
	}
}

func TestAllowListAllowsIP(t *testing.T) {
	a, err := ParseAllowList("127.0.0.1,10.1.0.0/16,fd00::/8,example.com")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		ip   string
		want bool
	}{
		{ip: "127.0.0.1", want: true},
		{ip: "127.0.0.2", want: false},
		{ip: "10.1.200.3", want: true},
		{ip: "10.2.0.1", want: false},
		{ip: "fd12::1", want: true},
		{ip: "fe80::1", want: false},
		{ip: "::ffff:127.0.0.1", want: false},
		{ip: "::1", want: false},
	}
	for _, tt := range tests {
		t.Run(tt.ip, func(t *testing.T) {
			if got := a.AllowsIP(netip.MustParseAddr(tt.ip)); got != tt.want {
				t.Errorf("AllowsIP(%s) = %v, want %v", tt.ip, got, tt.want)
			}
		})
	}
}

func TestAllowListZeroValue(t *testing.T) {
	var a AllowList
	if !a.IsEmpty() {
		t.Errorf("IsEmpty() = false, want true")
	}
	if a.AllowsHost("localhost") {
		t.Errorf("AllowsHost(localhost) = true, want false")
	}
	if a.AllowsIP(netip.MustParseAddr("127.0.0.1")) {
		t.Errorf("AllowsIP(127.0.0.1) = true, want false")
	}
}

// FuzzParseAllowList checks that no input panics, and that a list that
// parses prints in a form that parses back to the same list.
func FuzzParseAllowList(f *testing.F) {
	f.Add("127.0.0.1,localhost")
	f.Fuzz(func(t *testing.T, s string) {
		a, err := ParseAllowList(s)
		if err != nil {
			return
		}
		printed := a.String()
		b, err := ParseAllowList(printed)
		if err != nil {
			t.Fatalf("ParseAllowList(%q) of String() error: %v", printed, err)
		}
		if got := b.String(); got != printed {
			t.Errorf("round trip String() = %q, want %q", got, printed)
		}
		a.AllowsHost(s)
		if ip, err := netip.ParseAddr(s); err == nil {
			a.AllowsIP(ip)
		}
	})
}
