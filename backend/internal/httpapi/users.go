package httpapi

import (
	"github.com/gofiber/fiber/v2"

	"github.com/plugboard/plugboard/shared"
)

// requireAdmin lets only admins on. API keys act with their user's role.
func (s *server) requireAdmin(c *fiber.Ctx) error {
	if !principal(c).IsAdmin() {
		return problem(shared.CodeForbidden, "Only admins may manage users, read the audit trail and share connections.")
	}
	return c.Next()
}

func (s *server) listUsers(c *fiber.Ctx) error {
	users, err := s.access.ListUsers(c.UserContext())
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"users": nonNil(users)})
}

func (s *server) createUser(c *fiber.Ctx) error {
	var in shared.UserInput
	if err := decodeBody(c, &in); err != nil {
		return err
	}
	u, err := s.access.CreateUser(c.UserContext(), principal(c), in)
	if err != nil {
		return rightsProblem(err)
	}
	c.Location("/api/v1/users/" + u.ID)
	return c.Status(fiber.StatusCreated).JSON(u)
}

func (s *server) getUser(c *fiber.Ctx) error {
	u, err := s.access.GetUser(c.UserContext(), c.Params("id"))
	if err != nil {
		return err
	}
	return c.JSON(u)
}

func (s *server) updateUser(c *fiber.Ctx) error {
	var p shared.UserPatch
	if err := decodeBody(c, &p); err != nil {
		return err
	}
	u, err := s.access.UpdateUser(c.UserContext(), principal(c), c.Params("id"), p)
	if err != nil {
		return rightsProblem(err)
	}
	return c.JSON(u)
}

func (s *server) deleteUser(c *fiber.Ctx) error {
	if err := s.access.DeleteUser(c.UserContext(), principal(c), c.Params("id")); err != nil {
		return rightsProblem(err)
	}
	return c.SendStatus(fiber.StatusNoContent)
}
