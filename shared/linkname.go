package shared

import (
	"regexp"
	"strings"
)

// linkNameRE is the form of a link name: what code writes to name a
// connection.
var linkNameRE = regexp.MustCompile(`^[a-z][a-z0-9_]{0,62}$`)

// objectIDRE matches a connection id. A link name of this form would be
// ambiguous in routes that take either, so it is refused.
var objectIDRE = regexp.MustCompile(`^[0-9a-f]{24}$`)

// IsConnectionID reports whether s has the form of a connection id.
func IsConnectionID(s string) bool { return objectIDRE.MatchString(s) }

// CheckLinkName returns what is wrong with name as a link name, or "".
func CheckLinkName(name string) string {
	switch {
	case name == "":
		return "is required"
	case !linkNameRE.MatchString(name):
		return "must start with a lower-case letter and hold only lower-case " +
			"letters, digits and underscores (at most 63)"
	case IsConnectionID(name):
		return "may not look like a connection id (24 hexadecimal digits)"
	}
	return ""
}

// SuggestLinkName derives a link name from a connection's display name:
// "YouTube (main)" becomes "youtube_main".
func SuggestLinkName(name string) string {
	var b strings.Builder
	underscore := false
	for _, r := range strings.ToLower(name) {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' {
			if underscore && b.Len() > 0 {
				b.WriteByte('_')
			}
			underscore = false
			b.WriteRune(r)
			continue
		}
		underscore = true
	}
	s := b.String()
	if s == "" {
		return "connection"
	}
	if s[0] >= '0' && s[0] <= '9' {
		s = "c_" + s
	}
	if len(s) > 63 {
		s = strings.TrimRight(s[:63], "_")
	}
	if IsConnectionID(s) {
		// An id has 24 characters, so the prefix keeps it within 63.
		s = "c_" + s
	}
	return s
}
