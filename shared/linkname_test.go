package shared

import (
	"strings"
	"testing"
)

func TestCheckLinkName(t *testing.T) {
	tests := []struct {
		name string
		in   string
		ok   bool
	}{
		{name: "letters", in: "github", ok: true},
		{name: "letters, digits and underscores", in: "shop_eu_2", ok: true},
		{name: "one letter", in: "a", ok: true},
		{name: "63 characters", in: "a" + strings.Repeat("b", 62), ok: true},
		{name: "hex, but not 24 digits", in: "abcdef0123", ok: true},
		{name: "empty", in: ""},
		{name: "64 characters", in: "a" + strings.Repeat("b", 63)},
		{name: "upper case", in: "GitHub"},
		{name: "starts with a digit", in: "2shop"},
		{name: "starts with an underscore", in: "_shop"},
		{name: "dash", in: "my-shop"},
		{name: "space", in: "my shop"},
		{name: "dot", in: "my.shop"},
		{name: "non-ASCII letter", in: "café"},
		{name: "looks like a connection id", in: "abcdef0123456789abcdef01"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			msg := CheckLinkName(tt.in)
			if got := msg == ""; got != tt.ok {
				t.Errorf("CheckLinkName(%q) = %q, want ok %v", tt.in, msg, tt.ok)
			}
		})
	}
}

func TestSuggestLinkName(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want string
	}{
		{name: "plain", in: "GitHub", want: "github"},
		{name: "punctuation and spaces", in: "YouTube (main)", want: "youtube_main"},
		{name: "runs of separators", in: "  My -- Shop!! EU ", want: "my_shop_eu"},
		{name: "leading digit", in: "42 Shop", want: "c_42_shop"},
		{name: "nothing usable", in: "!!!", want: "connection"},
		{name: "non-ASCII only", in: "日本", want: "connection"},
		{name: "non-ASCII mixed", in: "Café Shop", want: "caf_shop"},
		{name: "too long", in: strings.Repeat("ab ", 40), want: strings.TrimRight(strings.Repeat("ab_", 21)[:63], "_")},
		{name: "would look like an id", in: "abcdef0123456789abcdef01", want: "c_abcdef0123456789abcdef01"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := SuggestLinkName(tt.in)
			if got != tt.want {
				t.Errorf("SuggestLinkName(%q) = %q, want %q", tt.in, got, tt.want)
			}
			if msg := CheckLinkName(got); msg != "" {
				t.Errorf("SuggestLinkName(%q) = %q, which CheckLinkName refuses: %s", tt.in, got, msg)
			}
		})
	}
}

// FuzzSuggestLinkName checks that every suggestion is a valid link name.
func FuzzSuggestLinkName(f *testing.F) {
	for _, s := range []string{"GitHub", "42", "", "abcdef0123456789abcdef01", strings.Repeat("x_", 50)} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, name string) {
		if got := SuggestLinkName(name); CheckLinkName(got) != "" {
			t.Errorf("SuggestLinkName(%q) = %q, want a valid link name", name, got)
		}
	})
}
