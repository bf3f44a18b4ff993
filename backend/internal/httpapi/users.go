package httpapi

import (
	"github.com/gofiber/fiber/v2"

	"github.com/plugboard/plugboard/shared"
)

// STUB: replaced by the users work (issue #6).

func (s *server) requireAdmin(c *fiber.Ctx) error   { return c.Next() }
func (s *server) listUsers(c *fiber.Ctx) error      { return notYet() }
func (s *server) createUser(c *fiber.Ctx) error     { return notYet() }
func (s *server) getUser(c *fiber.Ctx) error        { return notYet() }
func (s *server) updateUser(c *fiber.Ctx) error     { return notYet() }
func (s *server) deleteUser(c *fiber.Ctx) error     { return notYet() }
func (s *server) endSessions(c *fiber.Ctx) error    { return notYet() }
func (s *server) changePassword(c *fiber.Ctx) error { return notYet() }

func notYet() error { return problem(shared.CodeNotFound, "not built yet") }
