package httpapi

import (
	"errors"
	"net/http"
	"strconv"

	"github.com/gofiber/fiber/v2"

	"github.com/plugboard/plugboard/backend/internal/access"
	"github.com/plugboard/plugboard/backend/internal/decode"
	"github.com/plugboard/plugboard/backend/internal/lifecycle"
	"github.com/plugboard/plugboard/shared"
)

// statusOf maps each code to its HTTP status.
var statusOf = map[shared.Code]int{
	shared.CodeInvalidJSON:         http.StatusBadRequest,
	shared.CodeUnknownField:        http.StatusBadRequest,
	shared.CodeBodyTooLarge:        http.StatusRequestEntityTooLarge,
	shared.CodeRequestTooLarge:     http.StatusRequestHeaderFieldsTooLarge,
	shared.CodeUnsupportedMedia:    http.StatusUnsupportedMediaType,
	shared.CodeValidation:          http.StatusUnprocessableEntity,
	shared.CodeUnauthorized:        http.StatusUnauthorized,
	shared.CodeForbidden:           http.StatusForbidden,
	shared.CodeNotFound:            http.StatusNotFound,
	shared.CodeMethodNotAllowed:    http.StatusMethodNotAllowed,
	shared.CodeDuplicateLinkName:   http.StatusConflict,
	shared.CodeDuplicateService:    http.StatusConflict,
	shared.CodeDuplicateUsername:   http.StatusConflict,
	shared.CodeLastAdmin:           http.StatusConflict,
	shared.CodeUserHasRecords:      http.StatusConflict,
	shared.CodeServiceInUse:        http.StatusConflict,
	shared.CodeBuiltInReadOnly:     http.StatusConflict,
	shared.CodeWrongAuthType:       http.StatusConflict,
	shared.CodeWrongStatus:         http.StatusConflict,
	shared.CodeNotConnected:        http.StatusConflict,
	shared.CodeNeedsReauth:         http.StatusConflict,
	shared.CodeMissingClient:       http.StatusConflict,
	shared.CodeCredentialsRejected: http.StatusUnprocessableEntity,
	shared.CodeProviderError:       http.StatusBadGateway,
	shared.CodeUpstreamUnreachable: http.StatusBadGateway,
	shared.CodeUpstreamTimeout:     http.StatusGatewayTimeout,
	shared.CodeDestinationBlocked:  http.StatusUnprocessableEntity,
	shared.CodeRateLimited:         http.StatusTooManyRequests,
	shared.CodeInternal:            http.StatusInternalServerError,
	shared.CodeUnavailable:         http.StatusServiceUnavailable,
}

// titleOf is the short, fixed summary of each kind of problem.
var titleOf = map[shared.Code]string{
	shared.CodeInvalidJSON:         "The request body is not valid JSON",
	shared.CodeUnknownField:        "The request body has an unknown field",
	shared.CodeBodyTooLarge:        "The request body is too large",
	shared.CodeRequestTooLarge:     "The request address or headers are too large",
	shared.CodeUnsupportedMedia:    "The request body must be JSON",
	shared.CodeValidation:          "Some fields are not valid",
	shared.CodeUnauthorized:        "Authentication is required",
	shared.CodeForbidden:           "This request is not allowed",
	shared.CodeNotFound:            "Not found",
	shared.CodeMethodNotAllowed:    "Method not allowed",
	shared.CodeDuplicateLinkName:   "The link name is taken",
	shared.CodeDuplicateService:    "The service id is taken",
	shared.CodeDuplicateUsername:   "The username is taken",
	shared.CodeLastAdmin:           "Plugboard needs an active admin",
	shared.CodeUserHasRecords:      "The user still owns records",
	shared.CodeServiceInUse:        "The service is in use",
	shared.CodeBuiltInReadOnly:     "Built-in services cannot be changed this way",
	shared.CodeWrongAuthType:       "Not possible for this authentication type",
	shared.CodeWrongStatus:         "Not possible in the connection's current state",
	shared.CodeNotConnected:        "The connection is not authorized",
	shared.CodeNeedsReauth:         "The connection needs to be authorized again",
	shared.CodeMissingClient:       "The service has no client credentials",
	shared.CodeCredentialsRejected: "The service rejected the credentials",
	shared.CodeProviderError:       "The provider answered with an error",
	shared.CodeUpstreamUnreachable: "The service could not be reached",
	shared.CodeUpstreamTimeout:     "The service did not answer in time",
	shared.CodeDestinationBlocked:  "The destination address is not allowed",
	shared.CodeRateLimited:         "Too many attempts",
	shared.CodeInternal:            "Internal error",
	shared.CodeUnavailable:         "Temporarily unavailable",
}

// problem builds a problem document for code.
func problem(code shared.Code, detail string) *shared.Problem {
	status, ok := statusOf[code]
	if !ok {
		status = http.StatusInternalServerError
	}
	return &shared.Problem{
		Type:   shared.ProblemTypeBase + string(code),
		Title:  titleOf[code],
		Status: status,
		Detail: detail,
		Code:   code,
	}
}

// toProblem turns any error a handler returns into the problem document a
// client sees. The second result tells whether it is the server's fault,
// which the log then records with the full error.
func toProblem(err error) (*shared.Problem, bool) {
	var (
		le *lifecycle.Error
		de *decode.Error
		fe shared.FieldErrors
		fb *fiber.Error
		pb *shared.Problem
	)
	if p := accessProblem(err); p != nil {
		return p, false
	}
	switch {
	case errors.As(err, &pb):
		return pb, pb.Status >= 500
	case errors.As(err, &le):
		p := problem(le.Code, le.Detail)
		p.Errors = le.Fields
		p.RetryAfter = le.RetryAfter
		return p, p.Status >= 500 && !upstreamFault[le.Code]
	case errors.As(err, &de):
		p := problem(de.Code, de.Detail)
		p.Errors = de.Fields()
		return p, false
	case errors.As(err, &fe):
		p := problem(shared.CodeValidation, "Some fields are not valid.")
		p.Errors = fe
		return p, false
	case errors.As(err, &fb):
		return fiberProblem(fb), fb.Code >= 500
	}
	return problem(shared.CodeInternal, "Something went wrong on the server; it has been logged."), true
}

// upstreamFault holds the codes of 5xx answers that report a service's
// failure, not the server's: they are logged at WARN, as a service that
// is down is expected now and then.
var upstreamFault = map[shared.Code]bool{
	shared.CodeProviderError:       true,
	shared.CodeUpstreamUnreachable: true,
	shared.CodeUpstreamTimeout:     true,
}

// accessProblems maps the errors of users and sign-in that handlers pass
// on as they are.
var accessProblems = []struct {
	err    error
	code   shared.Code
	detail string
}{
	{access.ErrUserNotFound, shared.CodeNotFound, "There is no user with that id."},
	{access.ErrDuplicateUsername, shared.CodeDuplicateUsername, "Another user has that username."},
	{access.ErrLastAdmin, shared.CodeLastAdmin,
		"That would leave no active admin; make another user an admin first."},
	{access.ErrUserHasRecords, shared.CodeUserHasRecords,
		"The user still owns services or connections; disable them instead, or delete those first."},
	{access.ErrBusy, shared.CodeUnavailable, "Users are being changed at the moment; try again."},
}

// accessProblem maps the errors of package access, or returns nil.
func accessProblem(err error) *shared.Problem {
	var rl *access.RateLimitError
	if errors.As(err, &rl) {
		p := problem(shared.CodeRateLimited, "Too many failed attempts; wait before trying again.")
		p.RetryAfter = rl.RetrySeconds()
		return p
	}
	for _, m := range accessProblems {
		if errors.Is(err, m.err) {
			p := problem(m.code, m.detail)
			if m.code == shared.CodeUnavailable {
				p.RetryAfter = 1
			}
			return p
		}
	}
	return nil
}

// fiberProblem maps the router's own errors.
func fiberProblem(fb *fiber.Error) *shared.Problem {
	switch fb.Code {
	case http.StatusNotFound:
		return problem(shared.CodeNotFound, "No such route.")
	case http.StatusMethodNotAllowed:
		return problem(shared.CodeMethodNotAllowed, "This route does not accept that method.")
	case http.StatusRequestEntityTooLarge:
		return problem(shared.CodeBodyTooLarge, "The request body is larger than the server accepts.")
	case http.StatusBadRequest:
		return problem(shared.CodeInvalidJSON, "The request is malformed.")
	case http.StatusRequestHeaderFieldsTooLarge, http.StatusRequestURITooLong:
		p := problem(shared.CodeRequestTooLarge, "The request's address or headers are larger than the server accepts.")
		p.Status = fb.Code
		return p
	case http.StatusRequestTimeout:
		return problem(shared.CodeInvalidJSON, "The request took too long to arrive.")
	}
	if fb.Code >= 400 && fb.Code < 500 {
		p := problem(shared.CodeInvalidJSON, fb.Message)
		p.Status = fb.Code
		return p
	}
	return problem(shared.CodeInternal, "Something went wrong on the server; it has been logged.")
}

// sendProblem writes p.
func sendProblem(c *fiber.Ctx, p *shared.Problem) error {
	if p.Instance == "" {
		p.Instance = c.Path()
	}
	if p.Status == fiber.StatusUnauthorized {
		// RFC 9110 section 11.6.1: a 401 names the scheme to use.
		c.Set(fiber.HeaderWWWAuthenticate, `Bearer realm="plugboard"`)
	}
	if p.RetryAfter > 0 {
		c.Set(fiber.HeaderRetryAfter, strconv.Itoa(p.RetryAfter))
	}
	c.Set(fiber.HeaderCacheControl, "no-store")
	c.Status(p.Status)
	if err := c.JSON(p); err != nil {
		return err
	}
	c.Set(fiber.HeaderContentType, shared.ProblemContentType)
	return nil
}
