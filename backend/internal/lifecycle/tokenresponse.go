package lifecycle

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/plugboard/plugboard/shared"
)

// tokenAnswer is what a token endpoint answered, read the one way every
// service's answer is read: RFC 6749 section 5.1, adjusted by the
// service's TokenShape where the provider differs.
type tokenAnswer struct {
	AccessToken  string
	RefreshToken string
	TokenType    string
	// ExpiresIn is zero when the provider did not say.
	ExpiresIn time.Duration
	// Scopes is nil when the provider did not say which were granted.
	Scopes   []string
	Metadata map[string]string
}

func (tokenAnswer) String() string { return "[token answer redacted]" }

// errNoAccessToken: the answer parsed but held no access token.
var errNoAccessToken = errors.New("the answer holds no access token")

// readTokenAnswer reads a token endpoint's body. JSON is recognized by its
// content, since some providers label it text/plain; anything else is
// read as a form-encoded body. An RFC 6749 error object where a token was
// expected comes back as *oauthError.
func readTokenAnswer(body []byte, shape *shared.TokenShape, sep string) (tokenAnswer, error) {
	fields, err := parseFields(body)
	if err != nil {
		return tokenAnswer{}, err
	}
	if s := stringAt(fields, "error"); s != "" {
		e := oauthError{Code: s, Description: stringAt(fields, "error_description"), URI: stringAt(fields, "error_uri")}
		return tokenAnswer{}, e.clean()
	}
	if shape == nil {
		shape = &shared.TokenShape{}
	}
	path := func(custom, std string) string {
		if custom != "" {
			return custom
		}
		return std
	}

	var a tokenAnswer
	a.AccessToken = stringAt(fields, path(shape.AccessTokenPath, "access_token"))
	if a.AccessToken == "" {
		return tokenAnswer{}, errNoAccessToken
	}
	a.RefreshToken = stringAt(fields, path(shape.RefreshTokenPath, "refresh_token"))
	a.TokenType = normalizeTokenType(stringAt(fields, path(shape.TokenTypePath, "token_type")))
	a.ExpiresIn = secondsAt(fields, path(shape.ExpiresInPath, "expires_in"))
	a.Scopes = scopesAt(fields, path(shape.ScopePath, "scope"), sep)
	for _, name := range shape.Metadata {
		if v := stringAt(fields, name); v != "" {
			if a.Metadata == nil {
				a.Metadata = map[string]string{}
			}
			a.Metadata[name] = v
		}
	}
	return a, nil
}

// parseFields turns a JSON object or a form-encoded body into a tree of
// values.
func parseFields(body []byte) (map[string]any, error) {
	trimmed := bytes.TrimSpace(body)
	if len(trimmed) > 0 && trimmed[0] == '{' {
		var m map[string]any
		dec := json.NewDecoder(bytes.NewReader(trimmed))
		dec.UseNumber()
		if err := dec.Decode(&m); err != nil {
			return nil, fmt.Errorf("the answer is not valid JSON")
		}
		return m, nil
	}
	vals, err := url.ParseQuery(string(trimmed))
	if err != nil || len(vals) == 0 {
		return nil, fmt.Errorf("the answer is neither JSON nor form-encoded")
	}
	m := make(map[string]any, len(vals))
	for k := range vals {
		m[k] = vals.Get(k)
	}
	return m, nil
}

// valueAt follows a dotted path into nested objects.
func valueAt(m map[string]any, path string) any {
	var cur any = m
	for _, part := range strings.Split(path, ".") {
		obj, ok := cur.(map[string]any)
		if !ok {
			return nil
		}
		cur = obj[part]
	}
	return cur
}

// stringAt reads a string (or a number, as text) at path.
func stringAt(m map[string]any, path string) string {
	switch v := valueAt(m, path).(type) {
	case string:
		return v
	case json.Number:
		return v.String()
	case bool:
		return strconv.FormatBool(v)
	}
	return ""
}

// secondsAt reads a lifetime in seconds given as a number or a string;
// zero when absent, unreadable or not positive.
func secondsAt(m map[string]any, path string) time.Duration {
	s := stringAt(m, path)
	if s == "" {
		return 0
	}
	f, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
	if err != nil || f <= 0 || math.IsInf(f, 0) || math.IsNaN(f) {
		return 0
	}
	// Ten years is past any real token's lifetime; cap it so the sum
	// cannot overflow.
	const maxSeconds = 10 * 365 * 24 * 3600
	return time.Duration(min(f, maxSeconds) * float64(time.Second))
}

// scopesAt reads granted scopes: a string joined with the service's
// separator, with spaces (RFC 6749 section 3.3, which some providers use
// whatever they document) or with commas (GitHub takes scopes joined with
// spaces and answers them joined with commas), or a JSON array.
func scopesAt(m map[string]any, path, sep string) []string {
	switch v := valueAt(m, path).(type) {
	case string:
		return splitScopes(v, sep)
	case []any:
		out := []string{}
		for _, x := range v {
			if s, ok := x.(string); ok && s != "" {
				out = append(out, s)
			}
		}
		return out
	}
	return nil
}

func splitScopes(s, sep string) []string {
	out := []string{}
	for _, f := range strings.FieldsFunc(s, func(r rune) bool {
		return r == ' ' || r == ',' || strings.ContainsRune(sep, r)
	}) {
		if f != "" {
			out = append(out, f)
		}
	}
	return out
}

// normalizeTokenType writes the type the way RFC 6750 spells it when it is
// a bearer token, whatever case the provider used (section 5.1 says the
// value is case-insensitive).
func normalizeTokenType(t string) string {
	if t == "" || strings.EqualFold(t, "bearer") {
		return "Bearer"
	}
	return t
}
