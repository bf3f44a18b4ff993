package shared

import (
	"errors"
	"testing"
)

func TestFillURL(t *testing.T) {
	tests := []struct {
		name   string
		tmpl   string
		values map[string]string
		want   string
	}{
		{name: "host label and path segment", tmpl: "https://{sub}.example.com/v1/{account}/me",
			values: map[string]string{"sub": "acme-01", "account": "a.b_c"},
			want:   "https://acme-01.example.com/v1/a.b_c/me"},
		{name: "origin placeholder", tmpl: "{instance_url}/services/data",
			values: map[string]string{"instance_url": "https://eu1.example.com/"},
			want:   "https://eu1.example.com/services/data"},
		{name: "a value is not filled in turn", tmpl: "https://{sub}.example.com/bot{token}/me",
			values: map[string]string{"sub": "{token}", "token": "t1"},
			want:   "https://{token}.example.com/bott1/me"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := FillURL(tt.tmpl, tt.values)
			if err != nil || got != tt.want {
				t.Errorf("got %q, %v; want %q", got, err, tt.want)
			}
		})
	}
}

// TestFillURLRefused checks that no value can move a request to another
// host or path.
func TestFillURLRefused(t *testing.T) {
	tests := []struct {
		name  string
		tmpl  string
		value string
	}{
		{name: "slash", tmpl: "https://{v}.example.com/", value: "evil.com/x"},
		{name: "at", tmpl: "https://{v}.example.com/", value: "a@b"},
		{name: "colon", tmpl: "https://{v}.example.com/", value: "evil.com:443"},
		{name: "question mark", tmpl: "https://{v}.example.com/", value: "evil.com?"},
		{name: "hash", tmpl: "https://{v}.example.com/", value: "evil.com#"},
		{name: "backslash", tmpl: "https://{v}.example.com/", value: `evil.com\x`},
		{name: "dot dot", tmpl: "https://api.example.com/{v}/me", value: ".."},
		{name: "dot", tmpl: "https://api.example.com/{v}/me", value: "."},
		{name: "escaped slash", tmpl: "https://api.example.com/{v}/me", value: "%2F"},
		{name: "space", tmpl: "https://api.example.com/{v}/me", value: "a b"},
		{name: "unicode space", tmpl: "https://api.example.com/{v}/me", value: "a\u3000b"},
		{name: "control character", tmpl: "https://api.example.com/{v}/me", value: "a\x7fb"},
		{name: "empty", tmpl: "https://api.example.com/{v}/me", value: ""},
		{name: "origin with a path", tmpl: "{v}/me", value: "https://evil.com/x"},
		{name: "origin with user info", tmpl: "{v}/me", value: "https://a@evil.com"},
		{name: "origin not http", tmpl: "{v}/me", value: "file:///etc"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := FillURL(tt.tmpl, map[string]string{"v": tt.value})
			var pe *PlaceholderError
			if !errors.As(err, &pe) || pe.Name != "v" {
				t.Errorf("got %q, %v; want a *PlaceholderError for v", got, err)
			}
		})
	}
}
