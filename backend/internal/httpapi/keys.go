package httpapi

import (
	"errors"

	"github.com/gofiber/fiber/v2"

	"github.com/plugboard/plugboard/backend/internal/access"
	"github.com/plugboard/plugboard/shared"
)

// need returns a handler that lets a request on only when its caller
// holds right r. Browser sessions hold every right.
func need(r shared.Right) fiber.Handler {
	return func(c *fiber.Ctx) error {
		if !principal(c).Can(r) {
			return problem(shared.CodeForbidden,
				"This API key lacks the \""+string(r)+"\" right that this request needs.")
		}
		return c.Next()
	}
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
	k, err := s.access.CreateKey(c.UserContext(), owner(c), in)
	if err != nil {
		return err
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
