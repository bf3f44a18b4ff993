package httpapi

import "github.com/gofiber/fiber/v2"

// STUB: replaced by the audit and sharing work (issue #6).

func (s *server) listAudit(c *fiber.Ctx) error { return notYet() }
