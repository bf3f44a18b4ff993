package shared

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
)

// CheckParamValues checks values given for a service's parameters: either
// those asked for at creation (the connection's config) or those asked for
// at authorization (credentials), as atCreation says. Every required
// parameter of that group must be present, nothing unknown may be given,
// and each value must fit the parameter's pattern and options. A value
// that fills a URL placeholder must also be safe to place there.
func CheckParamValues(svc *Service, values map[string]string, atCreation bool) FieldErrors {
	var fe FieldErrors
	field := "config"
	if !atCreation {
		field = "params"
	}
	for name := range values {
		p, ok := svc.Param(name)
		if !ok || p.AtCreation() != atCreation {
			fe.Add(field+"."+name, "is not a parameter of %s here", svc.Name)
		}
	}
	for _, p := range svc.Params {
		if p.AtCreation() != atCreation {
			continue
		}
		f := field + "." + p.Name
		v, ok := values[p.Name]
		if !ok || v == "" {
			if p.Required && p.Default == "" {
				fe.Add(f, "%s is required", p.DisplayName)
			}
			continue
		}
		if msg := checkParamValue(p, v); msg != "" {
			fe.Add(f, "%s %s", p.DisplayName, msg)
		}
	}
	slices.SortFunc(fe, func(a, b FieldError) int {
		if a.Field < b.Field {
			return -1
		}
		if a.Field > b.Field {
			return 1
		}
		return 0
	})
	return fe
}

// checkParamValue returns what is wrong with v as a value of p, or "". The
// message never repeats the value, which may be secret.
func checkParamValue(p Param, v string) string {
	switch {
	case len(v) > MaxValueLen:
		return fmt.Sprintf("is longer than %d characters", MaxValueLen)
	case len(p.Options) > 0 && !slices.Contains(p.Options, v):
		return fmt.Sprintf("must be one of %v", p.Options)
	case p.In == InHeader && containsHeaderBreak(v):
		return "may not contain line breaks or control characters"
	case (p.In == InUsername || p.In == InPassword) && strings.ContainsFunc(v, isControl):
		// RFC 7617 section 2: neither half may hold control characters.
		return "may not contain control characters"
	case p.In == InUsername && strings.Contains(v, ":"):
		// RFC 7617 section 2: the colon separates the user-id from the
		// password, so a user-id with one would be read wrongly.
		return "may not contain ':'"
	}
	if p.Pattern != "" {
		re, err := regexp.Compile("^(?:" + p.Pattern + ")$")
		if err != nil || !re.MatchString(v) {
			return "does not have the expected format"
		}
	}
	if p.In == InPlaceholder {
		if reason := unsafeSegment(v); reason != "" {
			return reason
		}
	}
	return ""
}

func containsHeaderBreak(v string) bool {
	for i := 0; i < len(v); i++ {
		if c := v[i]; c < 0x20 && c != '\t' || c == 0x7f {
			return true
		}
	}
	return false
}

// WithDefaults returns values with each missing parameter of the group
// filled with its default.
func WithDefaults(svc *Service, values map[string]string, atCreation bool) map[string]string {
	out := make(map[string]string, len(values))
	for k, v := range values {
		out[k] = v
	}
	for _, p := range svc.Params {
		if p.AtCreation() == atCreation && out[p.Name] == "" && p.Default != "" {
			out[p.Name] = p.Default
		}
	}
	return out
}
