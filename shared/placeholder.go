package shared

import (
	"fmt"
	"net/url"
	"strings"
	"unicode"
)

// PlaceholderError tells why a URL template could not be filled.
type PlaceholderError struct {
	Name   string
	Reason string
}

func (e *PlaceholderError) Error() string {
	return fmt.Sprintf("placeholder {%s}: %s", e.Name, e.Reason)
}

// Placeholders returns the names of the {name} placeholders in tmpl, in
// order of appearance, each once. An unclosed brace is reported as an
// error.
func Placeholders(tmpl string) ([]string, error) {
	var names []string
	seen := map[string]bool{}
	for rest := tmpl; ; {
		open := strings.IndexByte(rest, '{')
		if open < 0 {
			if strings.IndexByte(rest, '}') >= 0 {
				return nil, fmt.Errorf("unmatched '}' in %q", tmpl)
			}
			return names, nil
		}
		end := strings.IndexByte(rest[open:], '}')
		if end < 0 {
			return nil, fmt.Errorf("unclosed '{' in %q", tmpl)
		}
		name := rest[open+1 : open+end]
		if !validPlaceholderName(name) {
			return nil, fmt.Errorf("bad placeholder name %q in %q", name, tmpl)
		}
		if !seen[name] {
			seen[name] = true
			names = append(names, name)
		}
		rest = rest[open+end+1:]
	}
}

func validPlaceholderName(name string) bool {
	if name == "" || len(name) > 64 {
		return false
	}
	for _, r := range name {
		if r != '_' && r != '-' && r != '.' && !isASCIIAlnum(r) {
			return false
		}
	}
	return true
}

func isASCIIAlnum(r rune) bool {
	return r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9'
}

// FillURL replaces each {name} in the URL template tmpl with values[name]
// and checks that no value can move the request elsewhere.
//
// A placeholder that starts the template stands for a whole origin, as a
// provider's token response gives it (Salesforce's instance_url): its
// value must be an absolute http or https URL with nothing after the host.
// Anywhere else the value lands inside a host label or a path segment, so
// it may not hold '/', '?', '#', '@', ':', '%', '\', white space or
// control characters, nor be "." or "..".
func FillURL(tmpl string, values map[string]string) (string, error) {
	names, err := Placeholders(tmpl)
	if err != nil {
		return "", err
	}
	pairs := make([]string, 0, 2*len(names))
	for _, name := range names {
		val, ok := values[name]
		if !ok || val == "" {
			return "", &PlaceholderError{Name: name, Reason: "no value given"}
		}
		token := "{" + name + "}"
		if strings.HasPrefix(tmpl, token) {
			if err := checkOrigin(val); err != nil {
				return "", &PlaceholderError{Name: name, Reason: err.Error()}
			}
			val = strings.TrimSuffix(val, "/")
		} else if reason := unsafeSegment(val); reason != "" {
			return "", &PlaceholderError{Name: name, Reason: reason}
		}
		pairs = append(pairs, token, val)
	}
	// One pass: a value that looks like "{other}" stays as it is rather
	// than being filled in turn.
	return strings.NewReplacer(pairs...).Replace(tmpl), nil
}

// unsafeSegment returns why v cannot be placed inside a host label or a
// path segment, or "" when it can.
func unsafeSegment(v string) string {
	if v == "." || v == ".." {
		return "may not be \".\" or \"..\""
	}
	for _, r := range v {
		switch {
		case strings.ContainsRune(`/?#@:%\`, r):
			return fmt.Sprintf("may not contain %q", r)
		case unicode.IsSpace(r) || unicode.IsControl(r):
			return "may not contain white space or control characters"
		}
	}
	return ""
}

func checkOrigin(v string) error {
	u, err := url.Parse(v)
	if err != nil {
		return fmt.Errorf("not a URL")
	}
	if u.Scheme != "https" && u.Scheme != "http" {
		return fmt.Errorf("must be an http or https URL")
	}
	if u.Host == "" || u.User != nil || u.RawQuery != "" || u.Fragment != "" ||
		(u.Path != "" && u.Path != "/") {
		return fmt.Errorf("must be only a scheme and a host")
	}
	return nil
}
