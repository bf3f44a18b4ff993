package lifecycle

import "testing"

// TestHasDotSegment checks which proxied paths could climb out of the
// service's API base on some server.
func TestHasDotSegment(t *testing.T) {
	tests := []struct {
		path string
		want bool
	}{
		{"items/7", false},
		{"", false},
		{"a..b/c.d/...", false},
		{"files/a\\b", false},
		{"..", true},
		{"a/./b", true},
		{"a/../b", true},
		{"a\\..\\b", true},
		{"..\\admin", true},
		{"a/.\\b", true},
		{"..;/admin", true},
		{"a/..;x=1/b", true},
		{"a;b/c", false},
	}
	for _, tt := range tests {
		if got := hasDotSegment(tt.path); got != tt.want {
			t.Errorf("hasDotSegment(%q) = %v, want %v", tt.path, got, tt.want)
		}
	}
}
