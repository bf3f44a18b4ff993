package lifecycle

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strings"

	"github.com/plugboard/plugboard/backend/internal/outbound"
	"github.com/plugboard/plugboard/shared"
)

// oauthError is an RFC 6749 section 5.2 error answer, as a provider sent
// it. It travels as data so the person can be told what the provider said.
type oauthError struct {
	Code        string `json:"error"`
	Description string `json:"error_description"`
	URI         string `json:"error_uri"`
}

// parseOAuthError reads an error answer from a JSON or form-encoded body;
// nil when the body is not one.
func parseOAuthError(body []byte) *oauthError {
	var e oauthError
	if json.Unmarshal(body, &e) == nil && e.Code != "" {
		return e.clean()
	}
	if v, err := url.ParseQuery(string(body)); err == nil && v.Get("error") != "" {
		e = oauthError{Code: v.Get("error"), Description: v.Get("error_description"), URI: v.Get("error_uri")}
		return e.clean()
	}
	return nil
}

// clean bounds the provider's text and strips control characters, since
// it is shown to people and kept in the history.
func (e oauthError) clean() *oauthError {
	trim := func(s string, n int) string {
		s = strings.Map(func(r rune) rune {
			if r < 0x20 || r == 0x7f {
				return ' '
			}
			return r
		}, s)
		if len(s) > n {
			s = s[:n] + "…"
		}
		return strings.TrimSpace(s)
	}
	return &oauthError{Code: trim(e.Code, 64), Description: trim(e.Description, 300), URI: trim(e.URI, 300)}
}

func (e *oauthError) Error() string { return "provider error " + e.Code }

// words says what the provider answered, for a person.
func (e *oauthError) words() string {
	msg := e.Code
	if hint, ok := oauthErrorHints[e.Code]; ok {
		msg = hint + " (" + e.Code + ")"
	}
	if e.Description != "" {
		msg += ": " + e.Description
	}
	if e.URI != "" {
		msg += " (see " + e.URI + ")"
	}
	return msg
}

// oauthErrorHints explains the error codes of RFC 6749 sections 4.1.2.1
// and 5.2 in plain words.
var oauthErrorHints = map[string]string{
	"access_denied":             "Access was denied at the provider",
	"invalid_request":           "The provider found the request malformed",
	"unauthorized_client":       "The provider does not allow this client to use this flow",
	"unsupported_response_type": "The provider does not support the authorization code flow for this client",
	"invalid_scope":             "The provider refused the requested scopes",
	"server_error":              "The provider had an internal error",
	"temporarily_unavailable":   "The provider is temporarily unavailable",
	"invalid_client":            "The provider did not accept the client id or secret",
	"invalid_grant":             "The provider no longer accepts this grant",
	"unsupported_grant_type":    "The provider does not support this grant type",
}

// sentence ends s with a period unless it has one already, as a
// provider's error description often does.
func sentence(s string) string {
	if strings.HasSuffix(s, ".") {
		return s
	}
	return s + "."
}

// describeOutboundError says in words why a request to a provider did not
// get an answer.
func describeOutboundError(err error) string {
	var blocked *outbound.BlockedError
	switch {
	case errors.As(err, &blocked):
		return fmt.Sprintf("the address %s is not allowed (%s); an operator can allow it with PLUGBOARD_ALLOW_HOSTS", blocked.Host, blocked.Reason)
	case outbound.IsTimeout(err):
		return "the service did not answer in time"
	case outbound.IsUnreachable(err):
		return "the service could not be reached"
	case errors.Is(err, outbound.ErrResponseTooLarge):
		return "the service's answer was too large"
	case errors.Is(err, outbound.ErrTooManyRedirects):
		return "the service redirected too many times"
	}
	return "the request to the service failed"
}

// upstreamError maps a failed outbound request to an API error.
func upstreamError(err error, what string) *Error {
	var blocked *outbound.BlockedError
	code := shared.CodeUpstreamUnreachable
	switch {
	case errors.As(err, &blocked):
		code = shared.CodeDestinationBlocked
	case outbound.IsTimeout(err):
		code = shared.CodeUpstreamTimeout
	}
	return &Error{Code: code, Detail: what + ": " + describeOutboundError(err) + ".", Err: err}
}
