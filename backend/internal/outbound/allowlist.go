package outbound

import (
	"fmt"
	"net/netip"
	"slices"
	"strings"
)

// AllowList names the destinations an operator allows even though they are
// not on the public internet: exact host names, subdomain wildcards
// ("*.example.com"), IP addresses and CIDR ranges. The zero value allows
// nothing. An AllowList is safe for concurrent use and is not modified
// after [ParseAllowList] returns it.
type AllowList struct {
	hosts    []string // exact names, lower case, without a trailing dot
	suffixes []string // ".example.com" for an entry "*.example.com"
	prefixes []netip.Prefix
}

// AllowListError reports an entry of an allow list that [ParseAllowList]
// cannot read. Err, when set, is the underlying parse error.
type AllowListError struct {
	Entry  string
	Reason string
	Err    error
}

// Error names the entry and says why it was rejected.
func (e *AllowListError) Error() string {
	msg := fmt.Sprintf("allow list entry %q: %s", e.Entry, e.Reason)
	if e.Err != nil {
		msg += ": " + e.Err.Error()
	}
	return msg
}

// Unwrap returns the underlying parse error, if any.
func (e *AllowListError) Unwrap() error { return e.Err }

// ParseAllowList reads a comma-separated allow list, the format of the
// PLUGBOARD_ALLOW_HOSTS setting. Each entry is a host name, matched exactly
// and case-insensitively; "*." followed by a host name, which matches every
// subdomain of that name but not the name itself; an IP address; or a CIDR
// range. Blank entries are ignored, so an empty string gives an empty list.
// The first bad entry is reported as an [*AllowListError].
func ParseAllowList(s string) (AllowList, error) {
	var a AllowList
	for raw := range strings.SplitSeq(s, ",") {
		entry := strings.TrimSpace(raw)
		if entry == "" {
			continue
		}
		if err := a.add(entry); err != nil {
			return AllowList{}, err
		}
	}
	return a, nil
}

// add parses one non-blank entry into the list.
func (a *AllowList) add(entry string) error {
	if strings.Contains(entry, "://") {
		return &AllowListError{Entry: entry, Reason: "write a host name, not a URL"}
	}
	if strings.Contains(entry, "/") {
		p, err := netip.ParsePrefix(entry)
		if err != nil {
			return &AllowListError{Entry: entry, Reason: "invalid CIDR range", Err: err}
		}
		a.prefixes = append(a.prefixes, p.Masked())
		return nil
	}
	if ip, err := netip.ParseAddr(entry); err == nil {
		if ip.Zone() != "" {
			return &AllowListError{Entry: entry, Reason: "IP address must not have a zone"}
		}
		a.prefixes = append(a.prefixes, netip.PrefixFrom(ip, ip.BitLen()))
		return nil
	}
	if strings.Contains(entry, ":") {
		return &AllowListError{Entry: entry, Reason: "invalid IP address (host names take no port)"}
	}

	name, wildcard := strings.CutPrefix(entry, "*.")
	name = strings.TrimSuffix(strings.ToLower(name), ".")
	if reason := checkHostName(name); reason != "" {
		return &AllowListError{Entry: entry, Reason: reason}
	}
	if wildcard {
		a.suffixes = append(a.suffixes, "."+name)
	} else {
		a.hosts = append(a.hosts, name)
	}
	return nil
}

// checkHostName says what is wrong with a lower-case host name, or returns
// "" when it is a valid name (RFC 1123 section 2.1, with underscores, which
// container and service-discovery names use).
func checkHostName(name string) string {
	if name == "" {
		return "empty host name"
	}
	if len(name) > 253 {
		return "host name longer than 253 characters"
	}
	labels := strings.Split(name, ".")
	for _, label := range labels {
		if reason := checkLabel(label); reason != "" {
			return reason
		}
	}
	// A top-level domain is never all digits; such a name is a mistyped
	// IP address ("10.0.0.256", "10.0.0"), which some resolvers would
	// still accept in unexpected forms.
	if strings.Trim(labels[len(labels)-1], "0123456789") == "" {
		return "not a valid IP address or host name"
	}
	return ""
}

// checkLabel says what is wrong with one dot-separated label of a host name.
func checkLabel(label string) string {
	if label == "" {
		return "host name has an empty label"
	}
	if len(label) > 63 {
		return "host name label longer than 63 characters"
	}
	if label[0] == '-' || label[len(label)-1] == '-' {
		return "host name label starts or ends with a hyphen"
	}
	for _, r := range label {
		ok := r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-' || r == '_'
		if !ok {
			return fmt.Sprintf("character %q is not allowed in a host name"+
				" (use the punycode form of international names)", r)
		}
	}
	return ""
}

// AllowsHost reports whether host, a URL host name without port, is named
// by the list, either exactly or through a "*." wildcard. The comparison
// ignores case and a trailing dot. IP addresses are never matched here;
// see [AllowList.AllowsIP].
func (a AllowList) AllowsHost(host string) bool {
	host = strings.TrimSuffix(strings.ToLower(host), ".")
	if host == "" {
		return false
	}
	if slices.Contains(a.hosts, host) {
		return true
	}
	for _, suffix := range a.suffixes {
		if len(host) > len(suffix) && strings.HasSuffix(host, suffix) {
			return true
		}
	}
	return false
}

// AllowsIP reports whether ip is one of the listed addresses or inside one
// of the listed CIDR ranges. An IPv4-mapped IPv6 address such as
// ::ffff:127.0.0.1 matches only entries written in that IPv6 form, not the
// IPv4 entry 127.0.0.1.
func (a AllowList) AllowsIP(ip netip.Addr) bool {
	ip = ip.WithZone("")
	for _, p := range a.prefixes {
		if p.Contains(ip) {
			return true
		}
	}
	return false
}

// IsEmpty reports whether the list allows nothing.
func (a AllowList) IsEmpty() bool {
	return len(a.hosts) == 0 && len(a.suffixes) == 0 && len(a.prefixes) == 0
}

// String returns the list in the form [ParseAllowList] reads, normalised:
// host names in lower case, then wildcards, then addresses and ranges.
func (a AllowList) String() string {
	entries := make([]string, 0, len(a.hosts)+len(a.suffixes)+len(a.prefixes))
	entries = append(entries, a.hosts...)
	for _, suffix := range a.suffixes {
		entries = append(entries, "*"+suffix)
	}
	for _, p := range a.prefixes {
		if p.IsSingleIP() {
			entries = append(entries, p.Addr().String())
		} else {
			entries = append(entries, p.String())
		}
	}
	return strings.Join(entries, ",")
}
