package lifecycle

import (
	"errors"
	"fmt"

	"github.com/plugboard/plugboard/shared"
)

// Error is a failure the caller should tell the person about: a stable
// code from the API's vocabulary and a plain sentence. The HTTP edge turns
// it into a problem document; Err, when set, is the cause for the log.
type Error struct {
	Code   shared.Code
	Detail string
	// Fields lists invalid input fields, for CodeValidation.
	Fields shared.FieldErrors
	// RetryAfter is how long to wait, for CodeRateLimited.
	RetryAfter int
	Err        error
}

func (e *Error) Error() string {
	msg := string(e.Code)
	if e.Detail != "" {
		msg += ": " + e.Detail
	}
	if e.Err != nil {
		msg += ": " + e.Err.Error()
	}
	return msg
}

func (e *Error) Unwrap() error { return e.Err }

// Is matches another *Error with the same code, so callers can write
// errors.Is(err, lifecycle.ErrNotFound).
func (e *Error) Is(target error) bool {
	var t *Error
	return errors.As(target, &t) && t.Code == e.Code && t.Detail == "" && t.Err == nil
}

// ErrNotFound matches, with errors.Is, any "no such record" Error.
var ErrNotFound = &Error{Code: shared.CodeNotFound}

func fail(code shared.Code, format string, args ...any) *Error {
	return &Error{Code: code, Detail: fmt.Sprintf(format, args...)}
}

func invalid(fe shared.FieldErrors) *Error {
	return &Error{Code: shared.CodeValidation, Detail: "Some fields are not valid.", Fields: fe}
}

func notFound(what string) *Error {
	return fail(shared.CodeNotFound, "No %s with that id or name exists.", what)
}
