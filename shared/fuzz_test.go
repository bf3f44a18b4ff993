package shared

import (
	"net/url"
	"strings"
	"testing"
)

// FuzzFillURL checks that no value can move a filled URL to another host
// or out of its path segment: whatever value is given, the result either
// fails or keeps the template's host, and the value stays inside one path
// segment.
func FuzzFillURL(f *testing.F) {
	for _, seed := range []string{"acme", "evil.com/x", "a@b", "..", "%2F", "a b", "x:80", "{other}", "é", "a\\b", "#frag", "?q=1"} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, v string) {
		hostTmpl := "https://{sub}.example.com/api/{seg}/items"
		got, err := FillURL(hostTmpl, map[string]string{"sub": v, "seg": v})
		if err != nil {
			return
		}
		u, perr := url.Parse(got)
		if perr != nil {
			return // an unparsable URL cannot be sent either
		}
		if !strings.HasSuffix(u.Hostname(), ".example.com") {
			t.Fatalf("value %q moved the host to %q", v, u.Hostname())
		}
		if u.User != nil || u.RawQuery != "" || u.Fragment != "" {
			t.Fatalf("value %q added user info, a query or a fragment: %q", v, got)
		}
		if !strings.HasPrefix(u.Path, "/api/") || !strings.HasSuffix(u.Path, "/items") ||
			strings.Count(u.Path, "/") != 3 {
			t.Fatalf("value %q changed the path: %q", v, u.Path)
		}
	})
}
