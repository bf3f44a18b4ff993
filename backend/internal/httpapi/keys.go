package httpapi

import (
	"errors"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/plugboard/plugboard/backend/internal/access"
	"github.com/plugboard/plugboard/shared"
)

// need returns a handler that lets a request on only when its caller
// holds right r. Sessions started with a password or a sign-in link hold
// every right; API keys, and sessions started with one, the key's.
func need(r shared.Right) fiber.Handler {
	return func(c *fiber.Ctx) error {
		if !principal(c).Can(r) {
			return problem(shared.CodeForbidden,
				"This API key lacks the \""+string(r)+"\" right that this request needs.")
		}
		return c.Next()
	}
}

// needsAllRights is the refusal of a change that only a caller holding
// every right may make.
const needsAllRights = "Changing passwords and users needs an API key with every right " +
	"(read, manage and use), or a browser signed in with a password or a sign-in link."

// needAll lets a request on only when its caller holds every right:
// setting a password or making a user leads to a session that may do
// anything, so a key with fewer rights must not do it.
func needAll(c *fiber.Ctx) error {
	if !principal(c).CanAll() {
		return problem(shared.CodeForbidden, needsAllRights)
	}
	return c.Next()
}

// rightsProblem maps the refusals of package access for want of rights,
// and returns other errors as they are.
func rightsProblem(err error) error {
	var re *access.RightsError
	switch {
	case errors.As(err, &re):
		return problem(shared.CodeForbidden, "A new key may hold only rights its creator holds; "+
			"the API key you act with lacks "+quoted(re.Missing)+".")
	case errors.Is(err, access.ErrNeedsAllRights):
		return problem(shared.CodeForbidden, needsAllRights)
	}
	return err
}

// quoted lists rights as "read" and "use".
func quoted(rights []shared.Right) string {
	q := make([]string, len(rights))
	for i, r := range rights {
		q[i] = `"` + string(r) + `"`
	}
	if len(q) < 2 {
		return strings.Join(q, "")
	}
	return strings.Join(q[:len(q)-1], ", ") + " and " + q[len(q)-1]
}

func (s *server) listKeys(c *fiber.Ctx) error {
	keys, err := s.access.ListKeys(c.UserContext(), owner(c))
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"keys": nonNil(keys)})
}

func (s *server) createKey(c *fiber.Ctx) error {
	var in shared.KeyInput
	if err := decodeBody(c, &in); err != nil {
		return err
	}
	k, err := s.access.CreateKey(c.UserContext(), principal(c), in)
	if err != nil {
		return rightsProblem(err)
	}
	c.Set(fiber.HeaderCacheControl, "no-store")
	c.Location("/api/v1/keys/" + k.ID)
	return c.Status(fiber.StatusCreated).JSON(k)
}

func (s *server) deleteKey(c *fiber.Ctx) error {
	err := s.access.DeleteKey(c.UserContext(), owner(c), c.Params("id"))
	if errors.Is(err, access.ErrKeyNotFound) {
		return problem(shared.CodeNotFound, "There is no API key with that id.")
	}
	if err != nil {
		return err
	}
	return c.SendStatus(fiber.StatusNoContent)
}
