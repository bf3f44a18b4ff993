package httpapi

import (
	"encoding/json"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/gofiber/fiber/v2"

	"github.com/plugboard/plugboard/backend/internal/lifecycle"
	"github.com/plugboard/plugboard/shared"
)

func (s *server) listServices(c *fiber.Ctx) error {
	q := lifecycle.ServiceQuery{
		Text:     c.Query("q"),
		AuthType: shared.AuthType(c.Query("auth_type")),
		Category: c.Query("category"),
	}
	if q.AuthType != "" && !q.AuthType.Valid() {
		return fieldProblem("auth_type", "must be one of oauth2, basic, api_key")
	}
	if msg := checkSearch(q.Text); msg != "" {
		return fieldProblem("q", msg)
	}
	list, err := s.m.Services(c.UserContext(), owner(c), q)
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"services": nonNil(list)})
}

func (s *server) getService(c *fiber.Ctx) error {
	svc, err := s.m.Service(c.UserContext(), owner(c), c.Params("id"))
	if err != nil {
		return err
	}
	return c.JSON(svc)
}

func (s *server) createService(c *fiber.Ctx) error {
	var in shared.Service
	if err := decodeBody(c, &in); err != nil {
		return err
	}
	svc, err := s.m.CreateService(c.UserContext(), owner(c), in)
	if err != nil {
		return err
	}
	c.Location("/api/v1/services/" + svc.ID)
	return c.Status(fiber.StatusCreated).JSON(svc)
}

// redirectingFields are the fields of a service that say where its
// stored credentials are sent: its endpoints, its verification request,
// the headers and parameters that carry values. Changing them could send
// a connection's secrets to another host, which is the same as reading
// them, so it needs every right, as reading a token needs "use".
var redirectingFields = []string{"api_base_url", "authorization_url", "token_url",
	"revocation_url", "issuer", "verify_request", "headers", "params"}

func (s *server) updateService(c *fiber.Ctx) error {
	var patch map[string]json.RawMessage
	if err := decodeBody(c, &patch); err != nil {
		return err
	}
	for _, f := range redirectingFields {
		if _, ok := patch[f]; ok && !principal(c).CanAll() {
			return problem(shared.CodeForbidden, "Changing where a service's credentials are sent ("+f+
				") needs an API key with every right (read, manage and use), or a browser signed in with a password or a sign-in link.")
		}
	}
	svc, err := s.m.UpdateService(c.UserContext(), owner(c), c.Params("id"), patch)
	if err != nil {
		return err
	}
	return c.JSON(svc)
}

func (s *server) deleteService(c *fiber.Ctx) error {
	if err := s.m.DeleteService(c.UserContext(), owner(c), c.Params("id")); err != nil {
		return err
	}
	return c.SendStatus(fiber.StatusNoContent)
}

// checkSearch returns what is wrong with a search text, or "".
func checkSearch(q string) string {
	switch {
	case len(q) > 200:
		return "is longer than 200 characters"
	case !utf8.ValidString(q):
		return "is not valid UTF-8 text"
	case strings.ContainsFunc(q, unicode.IsControl):
		return "may not contain control characters"
	}
	return ""
}

// fieldProblem reports one invalid field.
func fieldProblem(field, msg string) error {
	p := problem(shared.CodeValidation, "Some fields are not valid.")
	p.Errors = shared.FieldErrors{{Field: field, Message: msg}}
	return p
}

// nonNil makes an empty list encode as [] rather than null.
func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}
