package httpapi

import "github.com/gofiber/fiber/v2"

// STUB: replaced by the audit and sharing work (issue #6).

func (s *server) listShares(c *fiber.Ctx) error  { return notYet() }
func (s *server) putShare(c *fiber.Ctx) error    { return notYet() }
func (s *server) deleteShare(c *fiber.Ctx) error { return notYet() }
