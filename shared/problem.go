package shared

import (
	"fmt"
	"strings"
)

// ProblemContentType is the media type of a problem document (RFC 9457).
const ProblemContentType = "application/problem+json"

// Code is a stable, machine-readable name for a kind of error. Clients
// branch on it; its wording never changes.
type Code string

// The codes the API answers with.
const (
	CodeInvalidJSON         Code = "invalid_json"
	CodeUnknownField        Code = "unknown_field"
	CodeBodyTooLarge        Code = "body_too_large"
	CodeRequestTooLarge     Code = "request_too_large"
	CodeUnsupportedMedia    Code = "unsupported_media_type"
	CodeValidation          Code = "validation_failed"
	CodeUnauthorized        Code = "unauthorized"
	CodeForbidden           Code = "forbidden"
	CodeNotFound            Code = "not_found"
	CodeMethodNotAllowed    Code = "method_not_allowed"
	CodeDuplicateLinkName   Code = "duplicate_link_name"
	CodeDuplicateService    Code = "duplicate_service"
	CodeDuplicateUsername   Code = "duplicate_username"
	CodeLastAdmin           Code = "last_admin"
	CodeUserHasRecords      Code = "user_has_records"
	CodeServiceInUse        Code = "service_in_use"
	CodeBuiltInReadOnly     Code = "builtin_read_only"
	CodeWrongAuthType       Code = "wrong_auth_type"
	CodeWrongStatus         Code = "wrong_status"
	CodeNotConnected        Code = "not_connected"
	CodeNeedsReauth         Code = "needs_reauth"
	CodeMissingClient       Code = "missing_client_credentials"
	CodeCredentialsRejected Code = "credentials_rejected"
	CodeProviderError       Code = "provider_error"
	CodeUpstreamUnreachable Code = "upstream_unreachable"
	CodeUpstreamTimeout     Code = "upstream_timeout"
	CodeDestinationBlocked  Code = "destination_blocked"
	CodeRateLimited         Code = "rate_limited"
	CodeInternal            Code = "internal_error"
	CodeUnavailable         Code = "unavailable"
)

// FieldError is one invalid field in a request body.
type FieldError struct {
	// Field is a JSON path such as "params[1].name".
	Field   string `json:"field"`
	Message string `json:"message"`
}

// FieldErrors is a list of invalid fields. A non-empty list is an error.
type FieldErrors []FieldError

// Add appends an error about field.
func (fe *FieldErrors) Add(field, format string, args ...any) {
	*fe = append(*fe, FieldError{Field: field, Message: fmt.Sprintf(format, args...)})
}

// Err returns fe as an error, or nil when it is empty.
func (fe FieldErrors) Err() error {
	if len(fe) == 0 {
		return nil
	}
	return fe
}

// Error joins the field errors into one line.
func (fe FieldErrors) Error() string {
	parts := make([]string, len(fe))
	for i, e := range fe {
		parts[i] = e.Field + ": " + e.Message
	}
	return "invalid input: " + strings.Join(parts, "; ")
}

// Problem is an RFC 9457 problem document, extended with a stable Code and,
// for validation failures, the list of invalid fields.
type Problem struct {
	Type     string      `json:"type"`
	Title    string      `json:"title"`
	Status   int         `json:"status"`
	Detail   string      `json:"detail,omitempty"`
	Instance string      `json:"instance,omitempty"`
	Code     Code        `json:"code"`
	Errors   FieldErrors `json:"errors,omitempty"`
	// RetryAfter is the number of seconds to wait, for rate limits.
	RetryAfter int `json:"retry_after,omitempty"`
}

// Error makes a Problem usable as a Go error, for clients of the API.
func (p *Problem) Error() string {
	msg := fmt.Sprintf("%d %s", p.Status, p.Code)
	if p.Detail != "" {
		msg += ": " + p.Detail
	} else if p.Title != "" {
		msg += ": " + p.Title
	}
	return msg
}

// ProblemTypeBase prefixes a Code to form a problem's type URI. It is a
// URN on purpose: a name to compare, not an address to fetch.
const ProblemTypeBase = "urn:plugboard:problem:"
