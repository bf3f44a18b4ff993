package httpapi

import (
	"github.com/gofiber/fiber/v2"
)

// listShares answers whom the caller's connection is shared with.
func (s *server) listShares(c *fiber.Ctx) error {
	list, err := s.m.Shares(c.UserContext(), owner(c), c.Params("ref"))
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"shares": nonNil(list)})
}

// putShare shares the caller's connection with another user. Only admins
// reach it (see requireAdmin); sharing again answers the same share.
func (s *server) putShare(c *fiber.Ctx) error {
	sh, err := s.m.ShareConnection(c.UserContext(), owner(c), c.Params("ref"), c.Params("user"))
	if err != nil {
		return err
	}
	return c.JSON(sh)
}

// deleteShare stops sharing the caller's connection with a user. Any
// owner may, admin or not: a member may still own a share made while
// they were an admin.
func (s *server) deleteShare(c *fiber.Ctx) error {
	if err := s.m.UnshareConnection(c.UserContext(), owner(c), c.Params("ref"), c.Params("user")); err != nil {
		return err
	}
	return c.SendStatus(fiber.StatusNoContent)
}
